/// What a JetStream delivery's reply subject says about it.
///
/// v1 (nats-server 2.9): `$JS.ACK.<stream>.<consumer>.<delivered>.<stream_seq>.<consumer_seq>.<timestamp_ns>.<pending>`;
/// v2 (newer servers, domains): `$JS.ACK.<domain>.<account>.<stream>.<consumer>.<delivered>.<stream_seq>.<consumer_seq>.<timestamp_ns>.<pending>[.<random>]`.
package struct JetStreamAckSubject: Sendable, Equatable {
    /// The stream the message is in.
    package var stream: String
    /// The consumer that delivered it.
    package var consumer: String
    /// How many times it was delivered, this time included.
    package var delivered: Int
    /// Its sequence number in the stream.
    package var streamSequence: UInt64
    /// Its sequence number in the consumer.
    package var consumerSequence: UInt64
    /// When it was stored, in nanoseconds since 1970.
    package var timestamp: Int64
    /// How many messages wait behind it in the consumer.
    package var pending: UInt64

    /// Reads a reply subject; `nil` for one that is no JetStream ack subject.
    package init?(_ subject: String) {
        // One pass over the bytes, no substrings: this runs for every delivery.
        var ends: [Int] = []
        ends.reserveCapacity(12)
        let utf8 = Array(subject.utf8)
        for (offset, byte) in utf8.enumerated() where byte == UInt8(ascii: ".") {
            ends.append(offset)
            if ends.count > 12 { return nil }
        }
        ends.append(utf8.count)
        let count = ends.count
        guard count >= 9, utf8.starts(with: Array("$JS.ACK.".utf8)) else { return nil }
        let base: Int
        switch count {
        case 9: base = 2
        case 11, 12: base = 4
        default: return nil
        }
        func range(_ token: Int) -> Range<Int> { (token == 0 ? 0 : ends[token - 1] + 1)..<ends[token] }
        func number(_ token: Int) -> UInt64? {
            let bytes = range(token)
            guard !bytes.isEmpty, bytes.count <= 19 else { return nil }
            var value: UInt64 = 0
            for index in bytes {
                let byte = utf8[index]
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + UInt64(byte - 0x30)
            }
            return value
        }
        guard let delivered = number(base + 2), delivered <= UInt64(Int.max), let streamSequence = number(base + 3),
              let consumerSequence = number(base + 4), let timestamp = number(base + 5), timestamp <= UInt64(Int64.max),
              let pending = number(base + 6) else { return nil }
        self.stream = String(decoding: utf8[range(base)], as: UTF8.self)
        self.consumer = String(decoding: utf8[range(base + 1)], as: UTF8.self)
        self.delivered = Int(delivered)
        self.streamSequence = streamSequence
        self.consumerSequence = consumerSequence
        self.timestamp = Int64(timestamp)
        self.pending = pending
    }
}
