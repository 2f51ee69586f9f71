import Taskiq

/// An error from a ``ZMTPSocket``: a bad endpoint, a failed bind, a send that found no peer.
///
/// The ``code`` says what kind of failure it is; ``message`` says what was found and what was
/// expected, naming the endpoint where there is one.
package struct ZMTPError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure. An open set: compare with the static members.
    package typealias Code = ErrorCode<ZMTPError>

    /// The kind of failure.
    package var code: Code
    /// What was found and what was expected.
    package var message: String

    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { "ZMTPError(\(code)): \(message)" }
}

extension ErrorCode where Domain == ZMTPError {
    /// The endpoint is not `tcp://host:port`.
    package static var invalidEndpoint: Self { "invalid_endpoint" }
    /// The host name did not resolve to an IPv4 address.
    package static var unresolvedHost: Self { "unresolved_host" }
    /// Binding or listening failed (port in use, permission).
    package static var bindFailed: Self { "bind_failed" }
    /// A TCP connect failed; connecting sockets retry on their own.
    package static var connectFailed: Self { "connect_failed" }
    /// No peer could take a message before the send timeout.
    package static var sendTimeout: Self { "send_timeout" }
    /// The socket was closed.
    package static var closed: Self { "closed" }
    /// The operation does not exist for this socket type (receiving on PUSH, …).
    package static var unsupportedOperation: Self { "unsupported_operation" }
}
