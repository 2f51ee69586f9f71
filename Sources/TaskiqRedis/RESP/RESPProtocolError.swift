import Taskiq

/// Bytes from a Redis server that are not valid RESP, or that exceed the parser's limits.
///
/// After this error the stream cannot be resynchronised: the connection must be closed.
/// The message says what was found, what was expected, and the byte offset in the stream.
public struct RESPProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of violation was found. An open set: switch with a `default` case.
    public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        /// The name of the code.
        public var rawValue: String
        /// Creates a code from its name.
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A byte that does not start any RESP type.
        public static let unknownType = Code(rawValue: "unknownType")
        /// A length, count, integer, double or boolean that is malformed.
        public static let invalidNumber = Code(rawValue: "invalidNumber")
        /// A payload that does not end in `\r\n`, or a line with a bare CR or LF.
        public static let invalidFraming = Code(rawValue: "invalidFraming")
        /// A length or count above the configured limit.
        public static let tooLarge = Code(rawValue: "tooLarge")
        /// Aggregates nested deeper than the configured limit.
        public static let tooDeep = Code(rawValue: "tooDeep")
        /// A valid RESP construct that this client does not accept (streamed strings).
        public static let unsupported = Code(rawValue: "unsupported")
        /// A payload whose content is malformed (a verbatim string without its format).
        public static let invalidPayload = Code(rawValue: "invalidPayload")
    }

    /// What kind of violation was found.
    public var code: Code
    /// The offset in the byte stream, from 0, of the element that is wrong.
    public var offset: Int
    /// What was found and what was expected.
    public var message: String

    /// Creates an error.
    public init(code: Code, offset: Int, message: String) {
        self.code = code
        self.offset = offset
        self.message = message
    }

    public var description: String { "invalid RESP at byte \(offset): \(message)" }
}
