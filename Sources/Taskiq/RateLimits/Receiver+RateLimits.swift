extension Receiver {
    /// The label that sets a message's own rate limit (`"10/s"`), in place of its task's entry
    /// in ``ReceiverOptions/rateLimits``.
    public static let rateLimitLabel = "rate_limit"

    /// Whether a message may start now under its rate limits (its start is then counted), or how
    /// long it waits before asking again.
    ///
    /// The task's limit (its `rate_limit` label, else ``RateLimits/tasks``) is asked first, then
    /// the queue's; a start the task limit allowed but the queue limit did not is lost to the
    /// task limit, which can only slow it, never exceed it. An unreadable label is logged and
    /// ignored; a limiter that fails (its store unreachable) makes the delivery wait a second.
    /// - Returns: `.zero` to start now.
    func rateLimitWait(for message: TaskiqMessage, limiter: any RateLimiter) async -> Duration {
        let limits = options.rateLimits
        var taskLimit = limits.tasks.isEmpty ? nil : limits.tasks[message.taskName]
        if !message.labels.isEmpty, let label = message.labels[Self.rateLimitLabel], !label.isNull {
            do throws(RateLimitError) {
                guard let text = label.stringValue else { throw RateLimitError(.malformed, text: "\(label)") }
                taskLimit = try RateLimit(parsing: text)
            } catch {
                baseLogger.warning("task \"\(message.taskName)\" (\(message.taskID)): ignoring its rate_limit label: \(error)")
            }
        }
        guard taskLimit != nil || limits.queue != nil else { return .zero }
        do {
            if let taskLimit {
                let wait = try await limiter.acquire(RateLimits.taskKey(message.taskName), limit: taskLimit)
                if wait > .zero { return min(wait, .seconds(86_400)) }
            }
            if let queue = limits.queue {
                let wait = try await limiter.acquire("queue:" + limits.queueKey, limit: queue)
                if wait > .zero { return min(wait, .seconds(86_400)) }
            }
        } catch {
            baseLogger.warning(
                "task \"\(message.taskName)\" (\(message.taskID)): cannot ask the rate limiter (\(error)); asking again in 1 s")
            return .seconds(1)
        }
        return .zero
    }
}
