/// What a JetStream delivery's reply subject says about it.
///
/// v1 (nats-server 2.9): `$JS.ACK.<stream>.<consumer>.<delivered>.<stream_seq>.<consumer_seq>.<timestamp_ns>.<pending>`;
/// v2 (newer servers, domains): `$JS.ACK.<domain>.<account>.<stream>.<consumer>.<delivered>.<stream_seq>.<consumer_seq>.<timestamp_ns>.<pending>[.<random>]`.
package struct JetStreamAckSubject: Sendable, Equatable {
    /// The reply subject read.
    package let subject: String
    private let streamBytes: Range<Int>
    private let consumerBytes: Range<Int>
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

    /// The stream the message is in (made from the subject when asked: this runs for every delivery).
    package var stream: String { String(decoding: Array(subject.utf8)[streamBytes], as: UTF8.self) }
    /// The consumer that delivered it.
    package var consumer: String { String(decoding: Array(subject.utf8)[consumerBytes], as: UTF8.self) }

    /// Reads a reply subject; `nil` for one that is no JetStream ack subject.
    package init?(_ subject: String) {
        var subject = subject
        // One pass over the bytes, no substrings or copies: this runs for every delivery.
        let parsed = subject.withUTF8 { Self.parse($0) }
        guard let parsed else { return nil }
        self.subject = subject
        (streamBytes, consumerBytes) = (parsed.stream, parsed.consumer)
        (delivered, streamSequence, consumerSequence, timestamp, pending) =
            (parsed.delivered, parsed.streamSequence, parsed.consumerSequence, parsed.timestamp, parsed.pending)
    }

    private struct Parsed {
        var stream: Range<Int>
        var consumer: Range<Int>
        var delivered: Int
        var streamSequence: UInt64
        var consumerSequence: UInt64
        var timestamp: Int64
        var pending: UInt64
    }

    private static let prefix: [UInt8] = Array("$JS.ACK.".utf8)

    private static func parse(_ utf8: UnsafeBufferPointer<UInt8>) -> Parsed? {
        guard utf8.count > prefix.count, prefix.indices.allSatisfy({ utf8[$0] == prefix[$0] }) else { return nil }
        // Where each token ends, on the stack: at most 12 tokens.
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 13) { ends -> Parsed? in
            var count = 0
            for offset in 0..<utf8.count where utf8[offset] == UInt8(ascii: ".") {
                guard count < 12 else { return nil }
                ends[count] = offset
                count += 1
            }
            ends[count] = utf8.count
            count += 1
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
                let pending = number(base + 6)
            else { return nil }
            return Parsed(
                stream: range(base), consumer: range(base + 1), delivered: Int(delivered), streamSequence: streamSequence,
                consumerSequence: consumerSequence, timestamp: Int64(timestamp), pending: pending)
        }
    }
}
