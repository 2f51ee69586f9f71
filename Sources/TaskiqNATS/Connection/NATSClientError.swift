import Taskiq

/// Why a NATS connection, request or JetStream call failed: a stable code, the server's words
/// when it said something (`-ERR` text or a JetStream API error), and a message for people.
public struct NATSClientError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public typealias Code = ErrorCode<NATSClientError>

    /// The kind of failure.
    public var code: Code
    /// What happened, for people.
    public var message: String
    /// The JetStream API's `err_code` (10058 stream name in use, 10059 stream not found, …), else `nil`.
    public var apiErrorCode: Int?
    /// The HTTP-like status of a JetStream API error or a status message (404, 408, 503, …), else `nil`.
    public var status: Int?
    /// The error beneath, when there is one: the ``/Taskiq/TLSError`` of a `tlsFailed` connection.
    public var underlying: (any Error)?

    /// Creates an error.
    public init(_ code: Code, message: String, status: Int? = nil, apiErrorCode: Int? = nil, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.status = status
        self.apiErrorCode = apiErrorCode
        self.underlying = underlying
    }

    /// `message`, with the code.
    public var description: String { "NATS \(code): \(message)" }

    /// Whether NATS was only briefly unavailable, so that the same call may succeed a moment
    /// later: a timeout, a lost or stale connection, no responder, or JetStream answering 503 (a
    /// restart, a stalled server, a leader election, a full store that workers are draining).
    public var isTransient: Bool {
        [.connectionLost, .timeout, .noResponders, .staleConnection].contains(code) || status == 503
    }
}

extension ErrorCode where Domain == NATSClientError {
    /// The server refused the credentials (`-ERR 'Authorization Violation'`).
    public static var authorizationFailed: Self { "authorization_failed" }
    /// The server sent `-ERR` and closed the connection (a parser error, a maximum payload
    /// violation, a stale connection, a slow consumer).
    public static var serverError: Self { "server_error" }
    /// The server sent bytes that are not the NATS protocol, or more than the limits allow.
    public static var protocolViolation: Self { "protocol_violation" }
    /// The server did not answer two keepalive PINGs in a row.
    public static var staleConnection: Self { "stale_connection" }
    /// The TLS handshake failed, or the server and the URL disagree about TLS. The
    /// ``/Taskiq/TLSError`` is ``NATSClientError/underlying`` when there is one.
    public static var tlsFailed: Self { "tls_failed" }
    /// The socket failed or the server went away.
    public static var connectionLost: Self { "connection_lost" }
    /// The client was never connected: `startup()` (or `connect()`) was not called or failed.
    public static var notConnected: Self { "not_connected" }
    /// The client was closed.
    public static var closed: Self { "closed" }
    /// Connecting, a request or a flush took longer than allowed.
    public static var timeout: Self { "timeout" }
    /// A request found nobody subscribed to its subject (status 503), e.g. JetStream is not
    /// enabled or no stream takes the subject.
    public static var noResponders: Self { "no_responders" }
    /// The JetStream API answered with an error; see ``NATSClientError/apiErrorCode``.
    public static var jetStreamError: Self { "jetstream_error" }
    /// A value does not fit the protocol (a bad subject, a payload over the server's maximum, a bad URL).
    public static var invalidArgument: Self { "invalid_argument" }
}
