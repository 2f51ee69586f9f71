/// Cuts a byte stream into ``AMQPFrame``s: `append` what arrived, then `next()` until `nil`.
///
/// The size field is checked against ``frameMax`` before any payload is buffered, so a peer
/// cannot make the client allocate more than one frame; every error is sticky.
package struct AMQPFrameDecoder: Sendable {
    /// The largest frame accepted, including its 8 bytes of overhead; 0 means no limit
    /// beyond ``AMQPFrameDecoder/absoluteMaximum``.
    package var frameMax: UInt32
    /// The ceiling whatever was negotiated: 16 MiB.
    package static let absoluteMaximum: UInt32 = 16 << 20
    private var buffer: [UInt8] = []
    private var readIndex = 0
    /// Stream offset of `buffer[0]`, for error positions.
    private var consumed = 0
    private var failure: AMQPProtocolError?

    /// A decoder that accepts frames of up to `frameMax` bytes.
    package init(frameMax: UInt32 = 131_072) { self.frameMax = frameMax }

    /// Bytes received but not yet returned as frames.
    package var bufferedByteCount: Int { buffer.count - readIndex }

    /// Adds received bytes.
    package mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if readIndex > 0, readIndex >= buffer.count / 2 {
            buffer.removeFirst(readIndex)
            consumed += readIndex
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next whole frame, or `nil` when more bytes are needed.
    package mutating func next() throws(AMQPProtocolError) -> AMQPFrame? {
        if let failure { throw failure }
        do {
            return try decodeNext()
        } catch {
            failure = error
            throw error
        }
    }

    private mutating func decodeNext() throws(AMQPProtocolError) -> AMQPFrame? {
        guard buffer.count - readIndex >= 7 else {
            if buffer.count - readIndex >= 1, buffer[readIndex] == 0x41 {  // "A": the server sent its protocol header
                try checkProtocolHeader()
            }
            return nil
        }
        let position = consumed + readIndex
        let type = buffer[readIndex]
        if type == 0x41 {
            try checkProtocolHeader()
            return nil
        }
        guard [1, 2, 3, 8].contains(type) else {
            throw AMQPProtocolError(
                .unknownFrameType, offset: position, "frame type \(type) is not 1 (method), 2 (header), 3 (body) or 8 (heartbeat)")
        }
        let channel = UInt16(buffer[readIndex + 1]) << 8 | UInt16(buffer[readIndex + 2])
        var size = 0
        for index in 3..<7 { size = size << 8 | Int(buffer[readIndex + index]) }
        let limit = Int(frameMax == 0 ? Self.absoluteMaximum : min(frameMax, Self.absoluteMaximum))
        guard size + AMQPFrame.overhead <= limit else {
            throw AMQPProtocolError(
                .frameTooLarge, offset: position,
                "a frame of \(size + AMQPFrame.overhead) bytes exceeds frame_max \(limit)")
        }
        guard buffer.count - readIndex >= size + AMQPFrame.overhead else { return nil }
        let payloadStart = readIndex + 7
        let end = payloadStart + size
        guard buffer[end] == AMQPFrame.frameEnd else {
            throw AMQPProtocolError(
                .missingFrameEnd, offset: consumed + end,
                "a frame of \(size) payload bytes ends with 0x\(String(buffer[end], radix: 16)), not 0xCE")
        }
        var reader = AMQPByteReader(buffer, range: payloadStart..<end)
        let frame: AMQPFrame
        do throws(AMQPProtocolError) {
            switch type {
            case 1: frame = .method(channel: channel, try AMQPMethod.decode(&reader))
            case 2: frame = .header(channel: channel, try AMQPContentHeader.decode(&reader))
            case 3: frame = .body(channel: channel, Array(buffer[payloadStart..<end]))
            default:
                guard channel == 0, size == 0 else {
                    throw AMQPProtocolError(
                        .unexpectedFrame, offset: readIndex + 1,
                        "a heartbeat frame on channel \(channel) with \(size) payload bytes; heartbeats are empty, on channel 0")
                }
                frame = .heartbeat
            }
        } catch {
            // Positions inside the payload are made stream positions.
            throw AMQPProtocolError(error.code, offset: consumed + error.offset, "\(error.message) (in a frame on channel \(channel))")
        }
        readIndex = end + 1
        return frame
    }

    /// A frame never starts with "A"; a server that answers the protocol header with its own
    /// wants another protocol version. The message does not quote the bytes, so it is the same
    /// however the stream was cut.
    private func checkProtocolHeader() throws(AMQPProtocolError) {
        throw AMQPProtocolError(
            .unsupportedProtocol, offset: consumed + readIndex,
            "the server answered with a protocol header (\"AMQP…\") instead of a frame: it does not speak AMQP 0-9-1")
    }
}
