import Synchronization

/// A ``RateLimiter`` for the workers of one process: the generic cell rate algorithm (starts
/// one interval apart, a waiter's lateness forgiven up to ``RateLimit/slackMicroseconds``), on
/// the monotonic clock; the same algorithm as `RedisRateLimiter`'s script.
///
/// The default of every broker; brokers whose workers share a store replace it (Redis brokers
/// use `RedisRateLimiter`). Keys are kept only while their next start lies in the future, so
/// the map holds at most the keys limited in the last interval.
public final class InMemoryRateLimiter: RateLimiter {
    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant
    /// Per key, the earliest time (microseconds since ``origin``) the next start may happen.
    private let next = Mutex<[String: Int]>([:])

    /// Creates an empty limiter.
    public init() {
        origin = clock.now
    }

    /// Counts one start under `key` if `limit` allows it now; otherwise returns how long to wait.
    public func acquire(_ key: String, limit: RateLimit) async throws -> Duration {
        let elapsed = clock.now - origin
        let now = Int(elapsed.components.seconds) * 1_000_000 + Int(elapsed.components.attoseconds / 1_000_000_000_000)
        let wait = next.withLock { next -> Int in
            if next.count > 10_000 { next = next.filter { $0.value > now } }
            let allowed = next[key] ?? now
            if allowed > now { return allowed - now }
            next[key] = max(allowed, now - limit.slackMicroseconds) + limit.intervalMicroseconds
            return 0
        }
        return .microseconds(wait)
    }
}
