/// Why a TLS connection could not be set up: OpenSSL missing, a certificate or key file
/// unusable, the server's certificate rejected, or the handshake failing or taking too long.
///
/// The message names the server and says why, with OpenSSL's reason where it gave one:
/// `TLS to 127.0.0.1:6380: the server's certificate was rejected: certificate has expired`.
public struct TLSError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure it is. An open set: compare with the static members.
    public typealias Code = ErrorCode<TLSError>

    /// What kind of failure it is.
    public var code: Code
    /// The server as `host:port`; empty when no connection was involved (a missing library).
    public var peer: String
    /// What happened, without the server's address (see ``description``).
    public var message: String

    /// Creates an error.
    public init(_ code: Code, peer: String, _ message: String) {
        self.code = code
        self.peer = peer
        self.message = message
    }

    public var description: String { peer.isEmpty ? message : "TLS to \(peer): \(message)" }
}

extension ErrorCode where Domain == TLSError {
    /// OpenSSL 3 (`libssl.so.3`) could not be loaded, or lacks a function TLS needs.
    public static var libraryMissing: Self { "libraryMissing" }
    /// A CA, certificate or key file could not be read or does not fit (a key that is not the
    /// certificate's).
    public static var invalidConfiguration: Self { "invalidConfiguration" }
    /// The server's certificate failed verification: expired, issued by an unknown CA, or for
    /// another host name.
    public static var certificateRejected: Self { "certificateRejected" }
    /// The handshake failed for another reason: the server speaks no TLS, refused this
    /// client's certificate, or closed the connection.
    public static var handshakeFailed: Self { "handshakeFailed" }
    /// The handshake did not finish in time.
    public static var timeout: Self { "timeout" }
    /// The caller gave up while the handshake was in progress.
    public static var cancelled: Self { "cancelled" }
}
