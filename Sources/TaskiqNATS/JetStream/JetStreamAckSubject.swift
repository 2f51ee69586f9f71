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
        let tokens = subject.split(separator: ".", omittingEmptySubsequences: false)
        guard tokens.count >= 9, tokens[0] == "$JS", tokens[1] == "ACK" else { return nil }
        let base: Int
        switch tokens.count {
        case 9: base = 2
        case 11, 12: base = 4
        default: return nil
        }
        guard let delivered = Int(tokens[base + 2]), delivered >= 0,
              let streamSequence = UInt64(tokens[base + 3]), let consumerSequence = UInt64(tokens[base + 4]),
              let timestamp = Int64(tokens[base + 5]), let pending = UInt64(tokens[base + 6]) else { return nil }
        self.stream = String(tokens[base])
        self.consumer = String(tokens[base + 1])
        self.delivered = delivered
        self.streamSequence = streamSequence
        self.consumerSequence = consumerSequence
        self.timestamp = timestamp
        self.pending = pending
    }
}
