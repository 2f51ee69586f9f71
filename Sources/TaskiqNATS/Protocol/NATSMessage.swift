/// A message the server delivered to one of our subscriptions: `MSG` or, with headers, `HMSG`.
package struct NATSMessage: Sendable, Hashable {
    /// The subject it was published to (not the subscription's wildcard).
    package var subject: String
    /// The id of the subscription it was delivered to, as given in `SUB`.
    package var sid: UInt64
    /// Where to answer: a request's inbox, or a JetStream delivery's `$JS.ACK.…` subject.
    package var replyTo: String?
    /// The header block of an `HMSG`; `nil` for a `MSG`. A status message (`503`, `408`, …)
    /// carries its status here and usually has an empty payload.
    package var headers: NATSHeaders?
    /// The payload, without the header block.
    package var payload: [UInt8]

    /// Creates a message.
    ///
    /// - Parameters:
    ///   - subject: The subject it was published to.
    ///   - sid: The subscription id it was delivered to.
    ///   - replyTo: The reply subject, if any.
    ///   - headers: The header block, or `nil` for a message without one.
    ///   - payload: The payload.
    package init(subject: String, sid: UInt64, replyTo: String?, headers: NATSHeaders?, payload: [UInt8]) {
        self.subject = subject
        self.sid = sid
        self.replyTo = replyTo
        self.headers = headers
        self.payload = payload
    }
}
