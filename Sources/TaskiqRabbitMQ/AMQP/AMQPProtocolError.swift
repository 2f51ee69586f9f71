import Taskiq

/// Bytes from an AMQP peer that do not follow AMQP 0-9-1: what was wrong and where.
///
/// Lengths and counts on the wire are untrusted; every read is bounds-checked and a violation
/// becomes this error rather than a trap.
package struct AMQPProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of violation.
    package typealias Code = ErrorCode<AMQPProtocolError>

    /// The kind of violation.
    package var code: Code
    /// The offset, in the frame payload (or the stream for framing errors), where it was found.
    package var offset: Int
    /// What was found and what was expected.
    package var message: String

    /// Creates an error.
    package init(_ code: Code, offset: Int, _ message: String) {
        self.code = code
        self.offset = offset
        self.message = message
    }

    /// `invalid AMQP at byte N: message`.
    package var description: String { "invalid AMQP at byte \(offset): \(message)" }
}

extension ErrorCode where Domain == AMQPProtocolError {
    /// A value runs past the end of its frame.
    package static var truncated: Self { "truncated" }
    /// A frame's type octet is not method, header, body or heartbeat.
    package static var unknownFrameType: Self { "unknownFrameType" }
    /// A frame does not end with 0xCE.
    package static var missingFrameEnd: Self { "missingFrameEnd" }
    /// A frame is larger than the negotiated frame_max.
    package static var frameTooLarge: Self { "frameTooLarge" }
    /// A method's class and method ids are not ones this client knows.
    package static var unknownMethod: Self { "unknownMethod" }
    /// A field value's type octet is not in the table type set.
    package static var unknownFieldType: Self { "unknownFieldType" }
    /// A short string or table key is not UTF-8.
    package static var invalidUTF8: Self { "invalidUTF8" }
    /// Tables or arrays nest deeper than allowed.
    package static var nestingTooDeep: Self { "nestingTooDeep" }
    /// A frame's payload has bytes left after its last argument.
    package static var trailingBytes: Self { "trailingBytes" }
    /// A frame arrived where the protocol does not allow it (content out of order, wrong channel).
    package static var unexpectedFrame: Self { "unexpectedFrame" }
    /// The peer answered with a protocol header other than AMQP 0-9-1.
    package static var unsupportedProtocol: Self { "unsupportedProtocol" }
    /// A value is out of its allowed range (a string too long to encode, a body size too large).
    package static var invalidValue: Self { "invalidValue" }
}
