import Taskiq

/// A ZeroMQ socket type as it appears in the `Socket-Type` property of a READY command.
///
/// Only PUB, SUB, PUSH and PULL are implemented by ``ZMTPSocket``; the other types exist so
/// that a peer announcing them is recognised and rejected with a precise reason.
package enum ZMTPSocketType: String, Sendable, CaseIterable {
    case pair = "PAIR"
    case pub = "PUB"
    case sub = "SUB"
    case req = "REQ"
    case rep = "REP"
    case dealer = "DEALER"
    case router = "ROUTER"
    case pull = "PULL"
    case push = "PUSH"
    case xpub = "XPUB"
    case xsub = "XSUB"

    /// The `Socket-Type` property value, exactly as libzmq spells it.
    package var name: String { rawValue }

    /// Whether a peer of type `peer` may talk to this type (libzmq's `check_socket_type`).
    package func accepts(peer: ZMTPSocketType) -> Bool {
        switch self {
        case .req: peer == .rep || peer == .router
        case .rep: peer == .req || peer == .dealer
        case .dealer: peer == .rep || peer == .dealer || peer == .router
        case .router: peer == .req || peer == .dealer || peer == .router
        case .pub, .xpub: peer == .sub || peer == .xsub
        case .sub, .xsub: peer == .pub || peer == .xpub
        case .push: peer == .pull
        case .pull: peer == .push
        case .pair: peer == .pair
        }
    }

    /// Whether this side receives subscriptions, so that 3.0-style `0x01`/`0x00` messages
    /// from its peers are subscriptions rather than data.
    var receivesSubscriptions: Bool { self == .pub || self == .xpub }
}
