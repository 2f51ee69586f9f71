/// The rate limits a worker applies: per task name, and one for every task of its queue.
///
/// A message's `rate_limit` label (`"10/s"`) takes the place of its task's entry here. A task
/// under both a task limit and the queue limit starts only when both allow it. Limits are
/// counted in the broker's ``BrokerComponents/rateLimiter``: in the process for the in-memory
/// broker, across every worker of the queue for Redis brokers.
public struct RateLimits: Sendable, Hashable {
    /// Limits by task name.
    public var tasks: [String: RateLimit]
    /// The limit shared by every task the worker's queue delivers; `nil` for none.
    public var queue: RateLimit?
    /// The name the queue limit is counted under: workers that use the same name share it.
    public var queueKey: String

    /// Creates limits; none by default.
    /// - Parameters:
    ///   - tasks: Limits by task name.
    ///   - queue: The limit for every task of the queue.
    ///   - queueKey: The name the queue limit is counted under (the broker's name in a config).
    public init(tasks: [String: RateLimit] = [:], queue: RateLimit? = nil, queueKey: String = "default") {
        self.tasks = tasks
        self.queue = queue
        self.queueKey = queueKey
    }

    /// The key a task's own limit is counted under.
    static func taskKey(_ name: String) -> String { "task:" + name }
}
