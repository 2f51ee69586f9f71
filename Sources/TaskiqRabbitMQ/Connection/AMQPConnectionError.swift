import Taskiq

/// Why an AMQP connection or channel failed: a stable code, the server's reply (code and text)
/// when it closed something, and a message saying what happened.
public struct AMQPConnectionError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public typealias Code = ErrorCode<AMQPConnectionError>

    /// The kind of failure.
    public var code: Code
    /// The server's reply code when it closed the connection or channel (403 access refused,
    /// 406 precondition failed, 320 connection forced, …), else `nil`.
    public var replyCode: UInt16?
    /// The server's reply text, such as `ACCESS_REFUSED - Login was refused …`, else empty.
    public var replyText: String
    /// What happened, for people.
    public var message: String
    /// The error beneath, when there is one: the ``/Taskiq/TLSError`` of a `tlsFailed` connection.
    public var underlying: (any Error)?

    /// Creates an error.
    public init(_ code: Code, replyCode: UInt16? = nil, replyText: String = "", message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.replyCode = replyCode
        self.replyText = replyText
        self.message = message
        self.underlying = underlying
    }

    /// An error for a server Connection.Close or Channel.Close.
    package init(_ code: Code, reason: AMQPCloseReason, message: String) {
        self.init(
            code, replyCode: reason.replyCode, replyText: reason.replyText,
            message: "\(message): \(reason)")
    }

    /// `message`, with the code.
    public var description: String { "AMQP \(code): \(message)" }
}

extension ErrorCode where Domain == AMQPConnectionError {
    /// The server closed the connection (Connection.Close); see ``AMQPConnectionError/replyCode``.
    public static var connectionClosedByServer: Self { "connection_closed_by_server" }
    /// The server closed a channel (Channel.Close); see ``AMQPConnectionError/replyCode``.
    public static var channelClosedByServer: Self { "channel_closed_by_server" }
    /// The server refused the credentials (403 ACCESS_REFUSED, or the socket closed during login).
    public static var accessRefused: Self { "access_refused" }
    /// The server speaks another protocol or offers no mechanism this client supports.
    public static var unsupportedServer: Self { "unsupported_server" }
    /// The server sent bytes that are not AMQP 0-9-1.
    public static var protocolViolation: Self { "protocol_violation" }
    /// Nothing arrived from the server for two heartbeat intervals.
    public static var heartbeatTimeout: Self { "heartbeat_timeout" }
    /// The TLS handshake failed: the server's certificate was rejected, the server refused this
    /// client's certificate, speaks no TLS, or a CA, certificate or key file is unusable. The
    /// ``/Taskiq/TLSError`` is ``AMQPConnectionError/underlying``.
    public static var tlsFailed: Self { "tls_failed" }
    /// The socket failed or the server went away without a Connection.Close.
    public static var connectionLost: Self { "connection_lost" }
    /// The connection or channel was closed by this client.
    public static var closedLocally: Self { "closed_locally" }
    /// Connecting or an operation took longer than allowed.
    public static var timeout: Self { "timeout" }
    /// The server refused a publish (Basic.Nack in confirm mode).
    public static var publishNacked: Self { "publish_nacked" }
    /// The server returned a mandatory publish it could not route (Basic.Return, e.g. 312 NO_ROUTE).
    public static var publishReturned: Self { "publish_returned" }
    /// The server cancelled a consumer (Basic.Cancel), for example because its queue was deleted.
    public static var consumerCancelled: Self { "consumer_cancelled" }
    /// A value does not fit the protocol (a name longer than 255 bytes, no free channel).
    public static var invalidArgument: Self { "invalid_argument" }
}
