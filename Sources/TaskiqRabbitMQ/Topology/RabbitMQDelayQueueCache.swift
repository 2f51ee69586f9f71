import Synchronization

/// Which TTL delay queues were declared on which channel, and when.
///
/// A queue is declared on first use and then published to without a round trip. It is declared
/// again on another channel (after a reconnect the server may have lost a non-replicated
/// declaration, or the queue expired while nobody used it) and once its declaration is older
/// than ``refreshInterval``: publishing does not count as use for `x-expires`, so a queue
/// declared once and published to for more than a day would expire under its messages. Its
/// `x-expires` (TTL + a day) outlasts any message published within an hour of a declaration.
package final class RabbitMQDelayQueueCache: Sendable {
    /// How long a declaration is trusted before the queue is declared again: an hour.
    package static let refreshInterval = Duration.seconds(3600)

    private struct State {
        /// Held (not just its identity), so a new channel at a freed one's address is not mistaken for it.
        var channel: (any AnyObject & Sendable)?
        var declared: [String: ContinuousClock.Instant] = [:]
    }

    private let state = Mutex(State())

    /// Creates an empty cache.
    package init() {}

    /// Whether `queue` must be declared on `channel` before publishing to it.
    package func needsDeclaring(_ queue: String, on channel: any AnyObject & Sendable, now: ContinuousClock.Instant = .now) -> Bool {
        state.withLock { state in
            guard state.channel === channel, let declared = state.declared[queue] else { return true }
            return now - declared >= Self.refreshInterval
        }
    }

    /// Records that `queue` was declared on `channel`; a new channel forgets the others' queues.
    package func didDeclare(_ queue: String, on channel: any AnyObject & Sendable, now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            if state.channel !== channel {
                state.channel = channel
                state.declared = [:]
            }
            state.declared[queue] = now
        }
    }

    /// Forgets `queue`, so the next use declares it again (it was found missing).
    package func forget(_ queue: String) {
        state.withLock { _ = $0.declared.removeValue(forKey: queue) }
    }
}
