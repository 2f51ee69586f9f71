import Taskiq
import TaskiqNATS

/// The NATS protocol parser, driven as a NATS connection drives it: `append` what arrived, then
/// `next()` until it asks for more.
///
/// Byte 0 of an input is the size of each `append` minus one (1–256); the rest is what the
/// server sent. The stream is parsed at once and in chunks; both must give the same operations
/// and the same error, a failed parser must keep failing, and every message must come back
/// unchanged from what the client encoders write for it (turned into a delivery as the server
/// does), as must every `-ERR`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNATS(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = fuzzBytes(start, count)
    guard let control = input.first else { return 0 }
    let stream = Array(input.dropFirst())
    let whole = parse(stream, chunk: max(stream.count, 1))
    let split = parse(stream, chunk: Int(control) + 1)
    expect(whole.operations == split.operations, "parsing at once and in chunks of \(Int(control) + 1) gave different operations")
    expect(
        whole.error == split.error,
        "parsing at once failed with \(String(describing: whole.error)), in chunks with \(String(describing: split.error))")
    return 0
}

/// Small limits, so that each is reachable with inputs of a few kilobytes.
private func makeParser() -> NATSParser {
    NATSParser(maxControlLine: 256, maxPayload: 4096, maxInfoLine: 1024)
}

private func parse(_ stream: [UInt8], chunk: Int) -> (operations: [NATSServerOperation], error: NATSProtocolError?) {
    var parser = makeParser()
    var operations: [NATSServerOperation] = []
    var offset = 0
    while offset < stream.count {
        let end = min(offset + chunk, stream.count)
        parser.append(stream[offset..<end])
        offset = end
        do {
            while let operation = try parser.next() {
                expectRoundTrip(operation)
                operations.append(operation)
            }
            expect(parser.bufferedByteCount <= offset, "the parser holds more bytes than it was given")
        } catch {
            parser.append(stream[offset...])
            do {
                _ = try parser.next()
                fatalError("a parser that failed with \(error) parsed again")
            } catch let again {
                expect(again == error, "a failed parser threw \(error), then \(again)")
            }
            return (operations, error)
        }
    }
    return (operations, nil)
}

/// A message or error written back out parses to itself, with nothing left over.
private func expectRoundTrip(_ operation: NATSServerOperation) {
    let bytes: [UInt8]
    switch operation {
    case .message(let message):
        expect(
            message.payload.count + (message.headers?.encodedCount ?? 0) <= 4096 + 4096,
            "a message larger than the limit was returned")
        bytes = delivery(of: message)
    case .error(let text):
        bytes = Array("-ERR '\(text)'\r\n".utf8)
    default:
        return
    }
    var parser = NATSParser()
    parser.append(bytes)
    do {
        let again = try parser.next()
        expect(again == operation, "\(operation) came back as \(String(describing: again))")
        expect(parser.bufferedByteCount == 0, "the encoding of \(operation) has bytes left over")
    } catch {
        fatalError("the encoding of \(operation) does not parse: \(error)")
    }
}

/// What the server sends for a message: the client's `PUB`/`HPUB` with the subscription id
/// after the subject, and `MSG`/`HMSG` as the verb.
private func delivery(of message: NATSMessage) -> [UInt8] {
    var publish: [UInt8] = []
    NATSClientCommand.publish(
        subject: message.subject, replyTo: message.replyTo, headers: message.headers,
        payload: message.payload, into: &publish)
    let verb = message.headers == nil ? "PUB " : "HPUB "
    let prefix = Array((verb + message.subject).utf8)
    expect(publish.starts(with: prefix), "publish did not start with \(verb)<subject>")
    var bytes = Array(((message.headers == nil ? "MSG " : "HMSG ") + message.subject + " \(message.sid)").utf8)
    bytes += publish[prefix.count...]
    return bytes
}
