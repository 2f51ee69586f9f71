import Taskiq

/// A failure to reach, authenticate with, or keep talking to a Redis server.
///
/// Distinct from ``RedisError`` (the server refusing one command): after a connection error
/// the connection is gone, and every command still waiting on it fails with the same error.
/// The message names the server and says why, such as
/// `redis at 127.0.0.1:6390: connection refused (is redis-server running and listening there?)`.
public struct RedisConnectionError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure it is. An open set: compare with the static members.
    public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        /// The name of the code.
        public var rawValue: String
        /// Creates a code from its name.
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The URL is not of the form `redis://[user:password@]host:port/db`.
        public static let invalidURL = Code(rawValue: "invalidURL")
        /// The host name did not resolve.
        public static let unknownHost = Code(rawValue: "unknownHost")
        /// Nothing listens on the port.
        public static let connectionRefused = Code(rawValue: "connectionRefused")
        /// The network or host cannot be reached, or connecting failed for another reason.
        public static let connectFailed = Code(rawValue: "connectFailed")
        /// Connecting, or waiting for a reply, took longer than allowed. The connection is
        /// discarded: a late reply would otherwise answer the next command.
        public static let timeout = Code(rawValue: "timeout")
        /// The server rejected the credentials (`WRONGPASS`) or requires some (`NOAUTH`).
        public static let authenticationFailed = Code(rawValue: "authenticationFailed")
        /// The server refused a step of connection setup, such as `SELECT` of a missing database.
        public static let handshakeFailed = Code(rawValue: "handshakeFailed")
        /// The server closed the connection, or reading or writing failed.
        public static let connectionClosed = Code(rawValue: "connectionClosed")
        /// The server sent bytes that are not valid RESP.
        public static let protocolViolation = Code(rawValue: "protocolViolation")
        /// The connection or client was closed by this process (shutdown, cancellation).
        public static let closedLocally = Code(rawValue: "closedLocally")
    }

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
