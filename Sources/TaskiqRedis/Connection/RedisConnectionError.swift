import Taskiq

/// A failure to reach, authenticate with, or keep talking to a Redis server.
///
/// Distinct from ``RedisError`` (the server refusing one command): after a connection error
/// the connection is gone, and every command still waiting on it fails with the same error.
/// The message names the server and says why, such as
/// `redis at 127.0.0.1:6390: connection refused (is redis-server running and listening there?)`.
public struct RedisConnectionError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure it is. An open set: compare with the static members.
    public typealias Code = ErrorCode<RedisConnectionError>

    /// What kind of failure it is.
    public var code: Code
    /// The server's host as configured.
    public var host: String
    /// The server's port.
    public var port: Int
    /// What happened, without the server's address (see ``description``).
    public var message: String
    /// The error that caused this one (a ``RedisError`` for authentication, a
    /// ``RESPProtocolError`` for a protocol violation), if any.
    public var underlying: (any Error)?

    /// Creates an error.
    public init(_ code: Code, host: String, port: Int, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.host = host
        self.port = port
        self.message = message
        self.underlying = underlying
    }

    public var description: String {
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        return "redis at \(address): \(message)"
    }
}

extension ErrorCode where Domain == RedisConnectionError {
    /// The URL is not of the form `redis://[user:password@]host:port/db`.
    public static var invalidURL: Self { "invalidURL" }
    /// The host name did not resolve.
    public static var unknownHost: Self { "unknownHost" }
    /// Nothing listens on the port.
    public static var connectionRefused: Self { "connectionRefused" }
    /// The network or host cannot be reached, or connecting failed for another reason.
    public static var connectFailed: Self { "connectFailed" }
    /// Connecting, or waiting for a reply, took longer than allowed. The connection is
    /// discarded: a late reply would otherwise answer the next command.
    public static var timeout: Self { "timeout" }
    /// TLS could not be set up (`rediss://`): OpenSSL missing, a certificate or key file
    /// unusable, the server's certificate rejected, or the handshake failing. The
    /// ``RedisConnectionError/underlying`` ``/Taskiq/TLSError`` says which.
    public static var tlsFailed: Self { "tlsFailed" }
    /// The server rejected the credentials (`WRONGPASS`) or requires some (`NOAUTH`).
    public static var authenticationFailed: Self { "authenticationFailed" }
    /// The server refused a step of connection setup, such as `SELECT` of a missing database.
    public static var handshakeFailed: Self { "handshakeFailed" }
    /// The server closed the connection, or reading or writing failed.
    public static var connectionClosed: Self { "connectionClosed" }
    /// The server sent bytes that are not valid RESP.
    public static var protocolViolation: Self { "protocolViolation" }
    /// The connection or client was closed by this process (shutdown, cancellation).
    public static var closedLocally: Self { "closedLocally" }
}
