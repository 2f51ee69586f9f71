import Taskiq

/// An error from a ``ZMTPSocket``: a bad endpoint, a failed bind, a send that found no peer.
///
/// The ``code`` says what kind of failure it is; ``message`` says what was found and what was
/// expected, naming the endpoint where there is one.
package struct ZMTPError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure. An open set: compare with the static members.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's name.
        package let name: String
        package init(_ name: String) { self.name = name }
        package var description: String { name }

        /// The endpoint is not `tcp://host:port`.
        package static let invalidEndpoint = Code("invalid_endpoint")
        /// The host name did not resolve to an IPv4 address.
        package static let unresolvedHost = Code("unresolved_host")
        /// Binding or listening failed (port in use, permission).
        package static let bindFailed = Code("bind_failed")
        /// A TCP connect failed; connecting sockets retry on their own.
        package static let connectFailed = Code("connect_failed")
        /// No peer could take a message before the send timeout.
        package static let sendTimeout = Code("send_timeout")
        /// The socket was closed.
        package static let closed = Code("closed")
        /// The operation does not exist for this socket type (receiving on PUSH, …).
        package static let unsupportedOperation = Code("unsupported_operation")
    }

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
