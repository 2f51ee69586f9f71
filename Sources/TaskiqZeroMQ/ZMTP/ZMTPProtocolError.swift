import Taskiq

/// A violation of ZMTP by the peer; the connection that produced it must be closed.
///
/// The ``code`` says which rule was broken; ``message`` says what was found and what was
/// expected, in words fit for a log line.
package struct ZMTPProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which rule the peer broke. An open set: compare with the static members.
    package typealias Code = ErrorCode<ZMTPProtocolError>

    /// Which rule the peer broke.
    package var code: Code
    /// What was found and what was expected.
    package var message: String

    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { "ZMTP protocol error (\(code)): \(message)" }
}

extension ErrorCode where Domain == ZMTPProtocolError {
    /// The greeting does not start with the ZMTP signature `FF … 7F`.
    package static var badSignature: Self { "bad_signature" }
    /// The peer speaks ZMTP 1.0 or 2.0.
    package static var unsupportedVersion: Self { "unsupported_version" }
    /// The peer's security mechanism is not NULL.
    package static var unsupportedMechanism: Self { "unsupported_mechanism" }
    /// A message frame arrived before the peer's READY command.
    package static var messageBeforeReady: Self { "message_before_ready" }
    /// A frame declares a size above the configured limit.
    package static var frameTooLarge: Self { "frame_too_large" }
    /// A multipart message exceeds the configured size or frame count.
    package static var messageTooLarge: Self { "message_too_large" }
    /// A command is truncated or otherwise malformed.
    package static var malformedCommand: Self { "malformed_command" }
    /// A command that is not allowed at this point of the conversation.
    package static var unexpectedCommand: Self { "unexpected_command" }
    /// The peer's `Socket-Type` cannot talk to ours.
    package static var incompatibleSocketType: Self { "incompatible_socket_type" }
}
