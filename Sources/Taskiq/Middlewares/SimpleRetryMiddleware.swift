/// Re-sends failed tasks, as taskiq's `SimpleRetryMiddleware` does.
///
/// A task is retried when its `retry_on_error` label is true (or, without the label, when
/// ``defaultRetryLabel`` is). `max_retries` counts **total attempts** (taskiq's meaning), defaulting
/// to ``defaultRetryCount``; each retry carries `_retries` (1, 2, ...) and keeps the task ID, so a
/// waiting handle sees the final result. Intermediate failures store no result when
/// ``noResultOnRetry`` is set.
///
/// ``retryOn`` and ``doNotRetryOn`` filter by error type name or code (see ``RetryFilter``); a
/// task's `retry_on` / `no_retry_on` labels replace them for that task.
///
/// A task cancelled by ``AsyncBroker/cancelTask(id:)`` (``TaskError/cancelled``) is never retried.
public struct SimpleRetryMiddleware: TaskiqMiddleware {
    /// Total attempts when a message has no `max_retries` label.
    public var defaultRetryCount: Int
    /// Whether tasks without a `retry_on_error` label are retried.
    public var defaultRetryLabel: Bool
    /// Whether intermediate failures skip storing a result.
    public var noResultOnRetry: Bool
    /// Retry only errors matching these patterns (``RetryFilter``); `nil` retries any.
    public var retryOn: Set<String>?
    /// Never retry errors matching these patterns (``RetryFilter``).
    public var doNotRetryOn: Set<String>

    /// Creates the middleware with taskiq's defaults.
    public init(
        defaultRetryCount: Int = 3, defaultRetryLabel: Bool = false, noResultOnRetry: Bool = true,
        retryOn: Set<String>? = nil, doNotRetryOn: Set<String> = []
    ) {
        self.defaultRetryCount = defaultRetryCount
        self.defaultRetryLabel = defaultRetryLabel
        self.noResultOnRetry = noResultOnRetry
        self.retryOn = retryOn
        self.doNotRetryOn = doNotRetryOn
    }

    public func onError(_ message: TaskiqMessage, result: inout TaskiqResult<JSONValue>, error: TaskError) async throws {
        guard !error.isNoResult, !error.isCancelled else { return }
        let retryOnError = message.labels["retry_on_error"].map(Self.isTrue) ?? defaultRetryLabel
        guard retryOnError else { return }
        guard RetryFilter(retryOn: retryOn, noRetryOn: doNotRetryOn).allows(error, labels: message.labels) else {
            TaskContext.current?.recordRetry(.filtered)
            return
        }
        let attempt = (Self.int(message.labels["_retries"]) ?? 0) + 1
        let maxRetries = Self.int(message.labels["max_retries"]) ?? defaultRetryCount
        guard attempt < maxRetries else {
            TaskContext.current?.logger.warning("maximum retries count (\(maxRetries)) is reached; storing the error")
            TaskContext.current?.recordRetry(.exhausted)
            return
        }
        guard let broker = TaskContext.current?.broker else { return }
        var retry = message
        retry.setLabel("_retries", .int(attempt))
        try await broker.kick(retry)
        TaskiqMetrics.retries.labels(message.taskName).increment()
        TaskContext.current?.recordRetry(.scheduled)
        if noResultOnRetry { result.error = .noResult }
    }

    static func isTrue(_ value: JSONValue) -> Bool {
        switch value {
        case .bool(let b): b
        case .string(let s): s.lowercased() == "true"
        case .int(let i): i != 0
        case .double(let d): d != 0
        default: false
        }
    }

    static func int(_ value: JSONValue?) -> Int? {
        value?.intValue ?? value?.stringValue.flatMap { Int($0.trimmingASCIIWhitespace()) }
    }
}
