import Taskiq
import TaskiqRabbitMQ

/// The AMQP frame decoder, driven as an AMQP connection drives it: `append` what arrived, then
/// `next()` until it asks for more.
///
/// Byte 0 of an input is the size of each `append` minus one (1–256); the rest is what the
/// server sent. The stream is decoded at once and in chunks; both must give the same frames and
/// the same error, a failed decoder must keep failing, and every frame must encode to bytes
/// that decode back to it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAMQP(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = fuzzBytes(start, count)
    guard let control = input.first else { return 0 }
    let stream = Array(input.dropFirst())
    let whole = decode(stream, chunk: max(stream.count, 1))
    let split = decode(stream, chunk: Int(control) + 1)
    expect(whole.frames == split.frames, "decoding at once and in chunks of \(Int(control) + 1) gave different frames")
    expect(
        whole.error == split.error,
        "decoding at once failed with \(String(describing: whole.error)), in chunks with \(String(describing: split.error))")
    return 0
}

/// A small frame_max, so the limit is reachable with inputs of a few kilobytes.
private let frameMax: UInt32 = 8192

private func decode(_ stream: [UInt8], chunk: Int) -> (frames: [AMQPFrame], error: AMQPProtocolError?) {
    var decoder = AMQPFrameDecoder(frameMax: frameMax)
    var frames: [AMQPFrame] = []
    var offset = 0
    while offset < stream.count {
        let end = min(offset + chunk, stream.count)
        decoder.append(stream[offset..<end])
        offset = end
        do {
            while let frame = try decoder.next() {
                expectRoundTrip(frame)
                frames.append(frame)
            }
        } catch {
            do {
                _ = try decoder.next()
                fatalError("a decoder that failed with \(error) decoded again")
            } catch let again {
                expect(again == error, "a failed decoder threw \(error), then \(again)")
            }
            return (frames, error)
        }
    }
    return (frames, nil)
}

/// A frame's encoding decodes back to the same frame, with nothing left over.
private func expectRoundTrip(_ frame: AMQPFrame) {
    let bytes = frame.encoded
    var decoder = AMQPFrameDecoder(frameMax: 0)
    decoder.append(bytes)
    do {
        let again = try decoder.next()
        expect(again == frame, "\(frame) decoded back as \(String(describing: again))")
        expect(decoder.bufferedByteCount == 0, "the encoding of \(frame) has bytes left over")
    } catch {
        fatalError("the encoding of \(frame) does not decode: \(error)")
    }
}
