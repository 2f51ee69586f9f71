/// Why a call of the TCP layer (``TCPConnection``, ``TCPListener``, ``SocketAddress``) failed.
///
/// Protocol clients turn it into their own error with their own wording: ``kind`` says what
/// went wrong, ``reason`` carries the system's text (`strerror`, `gai_strerror`).
package struct TCPError: Error, Sendable, CustomStringConvertible {
    /// What failed.
    package enum Kind: Sendable, Hashable {
        /// The host name did not resolve to an address.
        case unresolvedHost
        /// `socket()` failed (out of descriptors, unsupported family).
        case socketFailed
        /// The peer refused the connection (`ECONNREFUSED`).
        case refused
        /// The kernel gave up connecting (`ETIMEDOUT`).
        case connectTimedOut
        /// The caller's connect timeout passed first.
        case deadlineExceeded
        /// The caller's `isCancelled` returned `true` while connecting.
        case cancelled
        /// Connecting failed for another reason.
        case connectFailed
        /// `bind()` failed (address in use, not local).
        case bindFailed
        /// `listen()` failed.
        case listenFailed
        /// Sending failed: the peer closed or reset the connection.
        case sendFailed
        /// The receive timeout (``TCPConnection/setReceiveTimeout(_:)``) passed with nothing read.
        case receiveTimedOut
        /// Receiving failed.
        case receiveFailed
    }

    /// What failed.
    package var kind: Kind
    /// The `errno` (or `getaddrinfo` status) of the failed call; 0 when the layer itself gave up.
    package var number: Int32
    /// The system's text for ``number``, such as "Connection refused", or the layer's own sentence.
    package var reason: String

    package init(_ kind: Kind, number: Int32 = 0, reason: String) {
        self.kind = kind
        self.number = number
        self.reason = reason
    }

    package var description: String { reason }
}
