import Taskiq

/// One entry of `worker.rate_limits`: a task name and its limit as written (`"10/s"`).
public struct TaskRateLimitSetting: Sendable, Hashable {
    /// The task name.
    public var task: String
    /// The limit as written; checked when the file is loaded.
    public var limit: String

    /// Creates an entry.
    public init(task: String, limit: String) {
        self.task = task
        self.limit = limit
    }
}
