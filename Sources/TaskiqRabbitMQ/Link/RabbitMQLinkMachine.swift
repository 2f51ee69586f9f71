/// The bookkeeping of a self-healing connection (``RabbitMQLink``), without sockets or tasks:
/// which connection is current, who waits for one, whether the server blocks publishing, and
/// how many attempts to reconnect have failed since the last loss.
///
/// Every connection gets a new generation. Events name the generation they come from, so a
/// late loss or block reported by a connection that was already replaced never touches its
/// successor. Waiters wait for a connection that is open and not blocked; they are woken in
/// the order they came.
package struct RabbitMQLinkMachine<Link, Waiter> {
    /// Where the link is.
    package enum Phase: Equatable, Sendable {
        /// No usable connection: the first one or a replacement is being made.
        case connecting
        /// A connection is open (possibly blocked by the server).
        case open
        /// The link was closed for good.
        case shutDown
    }

    /// What ``acquire(_:_:)`` decided.
    package enum Acquire {
        /// The current connection, open and not blocked, and its generation.
        case ready(Link, generation: UInt64)
        /// The waiter was queued; it is handed back by ``connected(_:)``, ``unblocked(generation:)``
        /// or ``shutDown()``.
        case wait
        /// The link is closed.
        case shutDown
    }

    /// What ``connected(_:)`` hands back.
    package struct Opened {
        /// The new connection's generation.
        package var generation: UInt64
        /// Whether it replaces a lost one (the first connection is not a reconnect).
        package var isReconnect: Bool
        /// The attempts that failed before it.
        package var failedAttempts: Int
        /// The waiters to resume with the new connection, oldest first.
        package var ready: [Waiter]
    }

    package private(set) var phase: Phase = .connecting
    /// The current connection's generation; 0 before the first.
    package private(set) var generation: UInt64 = 0
    /// The server's reason while it blocks publishing on the current connection.
    package private(set) var blockedReason: String?
    /// Failed attempts since the last connection was lost (or since the start).
    package private(set) var failedAttempts = 0
    /// Connections lost so far.
    package private(set) var losses = 0
    private var link: Link?
    private var waiters: [(id: UInt64, waiter: Waiter)] = []

    /// A link with no connection yet.
    package init() {}

    /// Callers waiting for a usable connection.
    package var waiting: Int { waiters.count }

    /// The current connection, or queues `waiter` (named `id`) until there is one that is not blocked.
    package mutating func acquire(_ id: UInt64, _ waiter: Waiter) -> Acquire {
        switch phase {
        case .shutDown: return .shutDown
        case .open where blockedReason == nil:
            if let link { return .ready(link, generation: generation) }
            fallthrough
        default:
            waiters.append((id, waiter))
            return .wait
        }
    }

    /// The current connection if it is open and not blocked, without waiting.
    package var current: (link: Link, generation: UInt64)? {
        guard phase == .open, blockedReason == nil, let link else { return nil }
        return (link, generation)
    }

    /// Removes a waiter that gave up (cancelled or out of time); `nil` when it was already handed back.
    package mutating func abandon(_ id: UInt64) -> Waiter? {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return nil }
        return waiters.remove(at: index).waiter
    }

    /// A connection was opened and set up: it becomes current under a new generation.
    /// On a closed link nothing changes and `nil` is returned: close the connection.
    package mutating func connected(_ link: Link) -> Opened? {
        guard phase != .shutDown else { return nil }
        generation += 1
        self.link = link
        phase = .open
        blockedReason = nil
        let opened = Opened(
            generation: generation, isReconnect: losses > 0, failedAttempts: failedAttempts,
            ready: waiters.map(\.waiter))
        waiters.removeAll()
        failedAttempts = 0
        return opened
    }

    /// An attempt to connect or set up failed; returns the attempt number for the backoff (from 1).
    package mutating func attemptFailed() -> Int {
        failedAttempts += 1
        return failedAttempts
    }

    /// The connection of `generation` was lost. Returns `true` when it was the current one (log it
    /// and reconnect), `false` for a connection already replaced, a repeated report or a closed link.
    package mutating func lost(generation: UInt64) -> Bool {
        guard phase == .open, generation == self.generation else { return false }
        phase = .connecting
        link = nil
        blockedReason = nil
        losses += 1
        return true
    }

    /// The server blocked publishing on the connection of `generation`; `false` when stale.
    package mutating func blocked(generation: UInt64, reason: String) -> Bool {
        guard phase == .open, generation == self.generation else { return false }
        blockedReason = reason
        return true
    }

    /// The server unblocked the connection of `generation`: the waiters to resume with it.
    package mutating func unblocked(generation: UInt64) -> [Waiter] {
        guard phase == .open, generation == self.generation, blockedReason != nil else { return [] }
        blockedReason = nil
        defer { waiters.removeAll() }
        return waiters.map(\.waiter)
    }

    /// Closes the link for good: returns the current connection to close and the waiters to fail.
    package mutating func shutDown() -> (link: Link?, waiters: [Waiter]) {
        defer {
            phase = .shutDown
            link = nil
            waiters.removeAll()
        }
        return (link, waiters.map(\.waiter))
    }
}

extension RabbitMQLinkMachine: Sendable where Link: Sendable, Waiter: Sendable {}
extension RabbitMQLinkMachine.Acquire: Sendable where Link: Sendable {}
extension RabbitMQLinkMachine.Opened: Sendable where Waiter: Sendable {}
