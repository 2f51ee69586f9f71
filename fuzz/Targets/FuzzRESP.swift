import Taskiq
import TaskiqRedis

/// The RESP parser, driven as a Redis connection drives it: `append` what arrived, then
/// `next()` until it asks for more.
///
/// Byte 0 of an input is a control byte: bit 0 picks the attribute policy (skip or attach),
/// the other bits how many bytes each `append` gets (1–128). The rest is what the server sent.
/// The stream is parsed at once and in chunks; both must give the same values and the same
/// error, a failed parser must keep failing, and every value must encode to bytes that parse
/// back to it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRESP(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = fuzzBytes(start, count)
    guard let control = input.first else { return 0 }
    let policy: RESPParser.AttributePolicy = control & 1 == 0 ? .skip : .attach
    let stream = input.dropFirst()
    let whole = parse(stream, chunk: max(stream.count, 1), policy: policy)
    let split = parse(stream, chunk: Int(control >> 1) + 1, policy: policy)
    expect(whole.events == split.events, "parsing at once and in chunks of \(Int(control >> 1) + 1) gave different values")
    expect(
        whole.error?.code == split.error?.code && whole.error?.offset == split.error?.offset,
        "parsing at once failed with \(String(describing: whole.error)), in chunks with \(String(describing: split.error))")
    return 0
}

/// Small limits, so that every limit can be reached by inputs of a few kilobytes.
private let limits = RESPParser.Limits(
    maxBulkLength: 1 << 16, maxAggregateCount: 1 << 10,
    maxDepth: 16, maxLineLength: 1 << 10)

/// Each event as its kind byte and wire bytes: comparable even when it holds a NaN.
private func parse(_ stream: ArraySlice<UInt8>, chunk: Int, policy: RESPParser.AttributePolicy)
    -> (events: [[UInt8]], error: RESPProtocolError?)
{
    var parser = RESPParser(limits: limits, attributePolicy: policy)
    var events: [[UInt8]] = []
    var offset = stream.startIndex
    while offset < stream.endIndex {
        let end = min(offset + chunk, stream.endIndex)
        parser.append(stream[offset..<end])
        offset = end
        do {
            while let event = try parser.next() {
                switch event {
                case .reply(let value):
                    expectRoundTrip(value, policy: policy)
                    events.append([0] + value.encoded)
                case .push(let items):
                    events.append([1] + RESPValue.push(items).encoded)
                }
            }
        } catch {
            do {
                _ = try parser.next()
                fatalError("a parser that failed with \(error) parsed again")
            } catch let again {
                expect(again == error, "a failed parser threw \(error), then \(again)")
            }
            return (events, error)
        }
    }
    return (events, nil)
}

/// A reply's wire bytes parse back to a value with the same wire bytes.
private func expectRoundTrip(_ value: RESPValue, policy: RESPParser.AttributePolicy) {
    let bytes = value.encoded
    var parser = RESPParser(attributePolicy: policy)
    parser.append(bytes)
    do {
        guard case .reply(let again)? = try parser.next() else {
            fatalError("the encoding of \(value) is not one reply")
        }
        expect(again.encoded == bytes, "\(value) parsed back as \(again)")
        expect(parser.bufferedByteCount == 0, "the encoding of \(value) has bytes left over")
    } catch {
        fatalError("the encoding of \(value) does not parse: \(error)")
    }
}
