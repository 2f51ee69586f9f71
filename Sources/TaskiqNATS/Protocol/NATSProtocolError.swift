/// Bytes from a NATS server, or values for one, that do not follow the NATS client protocol:
/// what was wrong, found where a value enters the codec.
///
/// Sizes and numbers on the wire are untrusted; every one is checked by the parser, so a
/// violation becomes this error rather than a trap.
package struct NATSProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of violation.
    package enum Code: Sendable, Hashable {
        /// A control line, number or payload framing does not follow the protocol.
        case malformed
        /// A control line is longer than the parser's limit.
        case controlLineTooLong
        /// A message announces more payload bytes than the parser's limit.
        case payloadTooLarge
        /// A subject or queue group name is not one the server accepts.
        case invalidSubject
        /// A header block is not `NATS/1.0[ status[ description]]` followed by `Name: Value` lines.
        case invalidHeader
    }

    /// The kind of violation.
    package var code: Code
    /// What was found and what was expected.
    package var message: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: The kind of violation.
    ///   - message: What was found and what was expected.
    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `invalid NATS protocol (code): message`.
    package var description: String { "invalid NATS protocol (\(code)): \(message)" }
}
