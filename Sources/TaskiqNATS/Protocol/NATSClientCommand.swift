/// Encoders that append the client's operations to a write buffer, in ASCII with CRLF line ends.
///
/// Arguments are separated by single spaces and an empty reply subject or queue group is left
/// out (nats-py writes a double space instead; the server accepts both). Subjects, queue groups
/// and headers are not checked here: check values from outside with ``NATSSubject`` and
/// ``NATSHeaders/validate()`` first.
package enum NATSClientCommand {
    /// Appends `CONNECT {json}\r\n`.
    ///
    /// - Parameters:
    ///   - options: What the client says about itself.
    ///   - buffer: The buffer to append to.
    package static func connect(_ options: NATSConnectOptions, into buffer: inout [UInt8]) {
        append("CONNECT ", to: &buffer)
        buffer.append(contentsOf: options.json())
        buffer.append(contentsOf: NATSASCII.crlf)
    }

    /// Appends `PING\r\n`.
    package static func ping(into buffer: inout [UInt8]) {
        append("PING\r\n", to: &buffer)
    }

    /// Appends `PONG\r\n`, the answer to the server's `PING`.
    package static func pong(into buffer: inout [UInt8]) {
        append("PONG\r\n", to: &buffer)
    }

    /// Appends `PUB <subject> [reply] <#bytes>\r\n<payload>\r\n`, or with headers
    /// `HPUB <subject> [reply] <#header bytes> <#total bytes>\r\n<header block><payload>\r\n`.
    ///
    /// - Parameters:
    ///   - subject: The subject to publish to.
    ///   - replyTo: Where answers go; `nil` or empty for none.
    ///   - headers: The header block; `nil` sends `PUB`. An empty one (taskiq-nats's labels
    ///     when there are none) still sends `HPUB` with the 12-byte block `NATS/1.0\r\n\r\n`.
    ///   - payload: The payload.
    ///   - buffer: The buffer to append to.
    package static func publish(
        subject: String, replyTo: String?, headers: NATSHeaders?,
        payload: some Collection<UInt8>, into buffer: inout [UInt8]
    ) {
        let payloadCount = payload.count
        let headerCount = headers?.encodedCount ?? 0
        append(headers == nil ? "PUB " : "HPUB ", to: &buffer)
        buffer.append(contentsOf: subject.utf8)
        if let replyTo, !replyTo.isEmpty {
            buffer.append(NATSASCII.space)
            buffer.append(contentsOf: replyTo.utf8)
        }
        buffer.append(NATSASCII.space)
        if let headers {
            NATSASCII.appendDecimal(headerCount, to: &buffer)
            buffer.append(NATSASCII.space)
            NATSASCII.appendDecimal(headerCount + payloadCount, to: &buffer)
            buffer.append(contentsOf: NATSASCII.crlf)
            headers.encode(into: &buffer)
        } else {
            NATSASCII.appendDecimal(payloadCount, to: &buffer)
            buffer.append(contentsOf: NATSASCII.crlf)
        }
        buffer.append(contentsOf: payload)
        buffer.append(contentsOf: NATSASCII.crlf)
    }

    /// Appends `SUB <subject> [queue group] <sid>\r\n`.
    ///
    /// - Parameters:
    ///   - subject: The subject, wildcards allowed.
    ///   - queueGroup: The queue group whose members share the messages; `nil` or empty for
    ///     none, so that every subscriber receives every message.
    ///   - sid: The id the server will put on each delivery.
    ///   - buffer: The buffer to append to.
    package static func subscribe(subject: String, queueGroup: String?, sid: UInt64, into buffer: inout [UInt8]) {
        append("SUB ", to: &buffer)
        buffer.append(contentsOf: subject.utf8)
        if let queueGroup, !queueGroup.isEmpty {
            buffer.append(NATSASCII.space)
            buffer.append(contentsOf: queueGroup.utf8)
        }
        buffer.append(NATSASCII.space)
        NATSASCII.appendDecimal(sid, to: &buffer)
        buffer.append(contentsOf: NATSASCII.crlf)
    }

    /// Appends `UNSUB <sid> [max]\r\n`.
    ///
    /// - Parameters:
    ///   - sid: The subscription to end.
    ///   - max: End it after this many messages in all; `nil` (or a negative value, which the
    ///     server would refuse) ends it now.
    ///   - buffer: The buffer to append to.
    package static func unsubscribe(sid: UInt64, max: Int?, into buffer: inout [UInt8]) {
        append("UNSUB ", to: &buffer)
        NATSASCII.appendDecimal(sid, to: &buffer)
        if let max, max >= 0 {
            buffer.append(NATSASCII.space)
            NATSASCII.appendDecimal(max, to: &buffer)
        }
        buffer.append(contentsOf: NATSASCII.crlf)
    }

    /// Appends ASCII text.
    private static func append(_ text: StaticString, to buffer: inout [UInt8]) {
        text.withUTF8Buffer { buffer.append(contentsOf: $0) }
    }
}
