/// What an ``AMQPConnectionMachine`` tells the socket side after it was fed bytes or time.
package enum AMQPConnectionEvent: Sendable, Equatable {
    /// The handshake finished; channels may be opened.
    case opened(AMQPTuning)
    /// A method without content arrived on a channel (RPC replies, confirms, Basic.Cancel).
    case method(channel: UInt16, AMQPMethod)
    /// A delivery or return arrived whole: method, header and every body frame.
    case content(channel: UInt16, AMQPContent)
    /// The server closed a channel; the machine has queued Channel.CloseOk.
    case channelClosed(channel: UInt16, AMQPCloseReason)
    /// The server stopped accepting publishes (a resource alarm), with its reason.
    case blocked(String)
    /// The resource alarm cleared.
    case unblocked
    /// The connection is over: `nil` after a clean close this client asked for, else the error.
    /// No event follows it; the socket should be dropped once the queued bytes are written.
    case closed(AMQPConnectionError?)

    /// Events are equal when their payloads are; errors compare by code and reply code.
    package static func == (lhs: AMQPConnectionEvent, rhs: AMQPConnectionEvent) -> Bool {
        switch (lhs, rhs) {
        case (.opened(let a), .opened(let b)): a == b
        case (.method(let c1, let m1), .method(let c2, let m2)): c1 == c2 && m1 == m2
        case (.content(let c1, let m1), .content(let c2, let m2)): c1 == c2 && m1 == m2
        case (.channelClosed(let c1, let r1), .channelClosed(let c2, let r2)): c1 == c2 && r1 == r2
        case (.blocked(let a), .blocked(let b)): a == b
        case (.unblocked, .unblocked): true
        case (.closed(let a), .closed(let b)): a?.code == b?.code && a?.replyCode == b?.replyCode
        default: false
        }
    }
}
