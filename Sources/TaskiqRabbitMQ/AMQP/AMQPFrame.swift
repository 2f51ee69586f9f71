/// One AMQP frame: `type u8 | channel u16 | size u32 | payload | 0xCE`.
package enum AMQPFrame: Sendable, Equatable {
    /// Type 1: a method.
    case method(channel: UInt16, AMQPMethod)
    /// Type 2: a content header.
    case header(channel: UInt16, AMQPContentHeader)
    /// Type 3: a piece of a body.
    case body(channel: UInt16, [UInt8])
    /// Type 8: a heartbeat (always channel 0, empty).
    case heartbeat

    /// The frame-end octet.
    package static let frameEnd: UInt8 = 0xCE
    /// Type, channel, size and frame-end: what a frame costs beyond its payload.
    package static let overhead = 8
    /// The 8-byte protocol header a client sends first: "AMQP" 0 0 9 1.
    package static let protocolHeader: [UInt8] = [0x41, 0x4D, 0x51, 0x50, 0x00, 0x00, 0x09, 0x01]
    /// The smallest frame_max a peer may impose (AMQP 0-9-1 §4.2.3).
    package static let minimumFrameMax: UInt32 = 4096

    /// The channel the frame belongs to.
    package var channel: UInt16 {
        switch self {
        case .method(let channel, _), .header(let channel, _), .body(let channel, _): channel
        case .heartbeat: 0
        }
    }

    /// Appends the whole frame to `bytes`.
    package func encode(into bytes: inout [UInt8]) {
        var writer = AMQPByteWriter(bytes)
        let type: UInt8 =
            switch self {
            case .method: 1
            case .header: 2
            case .body: 3
            case .heartbeat: 8
            }
        writer.write(type)
        writer.write(channel)
        let sizeAt = writer.bytes.count
        writer.write(UInt32(0))
        switch self {
        case .method(_, let method): method.encode(into: &writer)
        case .header(_, let header): header.encode(into: &writer)
        case .body(_, let body): writer.bytes.append(contentsOf: body)
        case .heartbeat: break
        }
        let size = UInt32(truncatingIfNeeded: writer.bytes.count - sizeAt - 4)
        for index in 0..<4 { writer.bytes[sizeAt + index] = UInt8(truncatingIfNeeded: size >> UInt32(24 - 8 * index)) }
        writer.write(Self.frameEnd)
        bytes = writer.bytes
    }

    /// The frame's bytes.
    package var encoded: [UInt8] {
        var bytes: [UInt8] = []
        encode(into: &bytes)
        return bytes
    }

    /// Appends a method with content: the method frame, a header frame, and the body split
    /// into frames of at most `frameMax - 8` bytes (none for an empty body).
    package static func encodeContent(
        channel: UInt16, method: AMQPMethod, properties: AMQPProperties, body: [UInt8],
        frameMax: UInt32, into bytes: inout [UInt8]
    ) {
        AMQPFrame.method(channel: channel, method).encode(into: &bytes)
        AMQPFrame.header(channel: channel, AMQPContentHeader(bodySize: UInt64(body.count), properties: properties)).encode(into: &bytes)
        let chunk = max(1, Int(frameMax) - overhead)
        var start = 0
        while start < body.count {
            let end = min(start + chunk, body.count)
            AMQPFrame.body(channel: channel, Array(body[start..<end])).encode(into: &bytes)
            start = end
        }
    }
}
