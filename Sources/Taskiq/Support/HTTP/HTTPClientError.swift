/// Why an ``HTTPClient`` request failed, or why an ``HTTPEndpoint`` URL was refused.
///
/// The message names the server and says why:
/// `HTTP to 127.0.0.1:8000: the connection was refused (is the server running?)`.
public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure it is. An open set: compare with the static members.
    public typealias Code = ErrorCode<HTTPClientError>

    /// What kind of failure it is.
    public var code: Code
    /// The server as `host:port`; empty when no server was involved (a URL that does not parse).
    public var peer: String
    /// What happened, without the server's address (see ``description``).
    public var message: String

    /// Creates an error.
    /// - Parameters:
    ///   - code: What kind of failure it is.
    ///   - peer: The server as `host:port`, or empty.
    ///   - message: What happened.
    public init(_ code: Code, peer: String, _ message: String) {
        self.code = code
        self.peer = peer
        self.message = message
    }

    /// The message with the server it concerns: `HTTP to host:port: ...`.
    public var description: String { peer.isEmpty ? message : "HTTP to \(peer): \(message)" }
}

extension ErrorCode where Domain == HTTPClientError {
    /// The endpoint URL is not an `http://` or `https://` URL with a valid host and port.
    public static var invalidURL: Self { "invalidURL" }
    /// The method, path or a header would not make a valid request (a CR or LF in a header).
    public static var invalidRequest: Self { "invalidRequest" }
    /// The host name did not resolve.
    public static var unresolvedHost: Self { "unresolvedHost" }
    /// The server refused the connection.
    public static var refused: Self { "refused" }
    /// Connecting failed for another reason.
    public static var connectFailed: Self { "connectFailed" }
    /// TLS could not be set up (see the message for OpenSSL's reason).
    public static var tls: Self { "tls" }
    /// Connecting, sending or waiting for the response took longer than the client's timeout.
    public static var timeout: Self { "timeout" }
    /// The connection failed or closed while sending or before the response was complete.
    public static var connectionLost: Self { "connectionLost" }
    /// The server's answer is not a valid HTTP/1.x response.
    public static var badResponse: Self { "badResponse" }
    /// The response's head or body exceeds the client's limits.
    public static var tooLarge: Self { "tooLarge" }
    /// The client was closed.
    public static var closed: Self { "closed" }
}
