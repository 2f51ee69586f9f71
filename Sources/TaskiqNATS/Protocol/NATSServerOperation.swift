/// One operation the server sends, as ``NATSParser`` returns it.
package enum NATSServerOperation: Sendable, Equatable {
    /// `INFO {json}`: sent on connect and again when the cluster or the server's state changes.
    case info(NATSServerInfo)
    /// `MSG` or `HMSG`: a delivery to one of our subscriptions.
    case message(NATSMessage)
    /// `PING`: answer with `PONG`, or the server closes the connection as stale.
    case ping
    /// `PONG`: the answer to our `PING`.
    case pong
    /// `+OK`: sent after each operation only when CONNECT asked for `verbose`.
    case ok
    /// `-ERR '<text>'`: the text without the quotes, such as `Invalid Subject`. Some errors
    /// (authorization, maximum payload, parser errors) are followed by the server closing the
    /// connection; others, such as an invalid subject, are not.
    case error(String)
}
