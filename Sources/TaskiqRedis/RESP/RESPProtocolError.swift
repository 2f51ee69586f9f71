import Taskiq

/// Bytes from a Redis server that are not valid RESP, or that exceed the parser's limits.
///
/// After this error the stream cannot be resynchronised: the connection must be closed.
/// The message says what was found, what was expected, and the byte offset in the stream.
public struct RESPProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of violation was found. An open set: switch with a `default` case.
    public typealias Code = ErrorCode<RESPProtocolError>

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

extension ErrorCode where Domain == RESPProtocolError {
    /// A byte that does not start any RESP type.
    public static var unknownType: Self { "unknownType" }
    /// A length, count, integer, double or boolean that is malformed.
    public static var invalidNumber: Self { "invalidNumber" }
    /// A payload that does not end in `\r\n`, or a line with a bare CR or LF.
    public static var invalidFraming: Self { "invalidFraming" }
    /// A length or count above the configured limit.
    public static var tooLarge: Self { "tooLarge" }
    /// Aggregates nested deeper than the configured limit.
    public static var tooDeep: Self { "tooDeep" }
    /// A valid RESP construct that this client does not accept (streamed strings).
    public static var unsupported: Self { "unsupported" }
    /// A payload whose content is malformed (a verbatim string without its format).
    public static var invalidPayload: Self { "invalidPayload" }
}
