import Taskiq

/// Something a ``ZMTPMachine`` recognised in the bytes it was fed.
package enum ZMTPEvent: Sendable, Equatable {
    /// The peer's greeting was complete and acceptable; send READY now.
    case greetingReceived(ZMTPGreeting)
    /// The peer's READY arrived and its socket type fits ours; messages may flow from now on.
    case ready([ZMTPProperty])
    /// A complete multipart message (at least one frame).
    case message([[UInt8]])
    /// The peer subscribed to a prefix (3.1 command or 3.0 `0x01` message, for PUB/XPUB).
    case subscribe([UInt8])
    /// The peer cancelled one subscription to a prefix.
    case cancel([UInt8])
    /// A heartbeat; answer with ``ZMTPMachine/pong(context:)``.
    case ping(ttlDeciseconds: UInt16, context: [UInt8])
    /// The answer to a heartbeat.
    case pong(context: [UInt8])
    /// The peer sent an ERROR command and will close; terminal.
    case error(reason: String)
    /// The peer broke the protocol; terminal, close the connection.
    case failed(ZMTPProtocolError)

    /// Whether no event can follow this one.
    package var isTerminal: Bool {
        switch self {
        case .error, .failed: true
        default: false
        }
    }
}
