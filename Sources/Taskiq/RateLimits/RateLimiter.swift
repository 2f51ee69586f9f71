/// Where the starts of rate-limited tasks are counted: in this process
/// (``InMemoryRateLimiter``) or in a store every worker of a queue shares (Redis).
///
/// A receiver asks before it runs a limited delivery; the answer is either "go" (`.zero`, and
/// the start is counted) or how long to wait before asking again (nothing is counted). A delivery
/// told to wait does not hold a runner meanwhile.
public protocol RateLimiter: Sendable {
    /// Counts one start under `key` if `limit` allows it now.
    /// - Parameters:
    ///   - key: What is limited, such as `task:math.add` or `queue:taskiq`.
    ///   - limit: The rate.
    /// - Returns: `.zero` when the start was counted; otherwise how long until one may be.
    func acquire(_ key: String, limit: RateLimit) async throws -> Duration
}
