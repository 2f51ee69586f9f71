/// Re-sends failed tasks after a delay, as taskiq's `SmartRetryMiddleware` does, without its
/// accidental compounding.
///
/// Which tasks and how many attempts follow ``SimpleRetryMiddleware`` (`retry_on_error`,
/// `max_retries` as total attempts, `_retries`, same task ID). Each retry carries a `delay` label
/// (seconds) that brokers honour: the in-memory broker and the Redis brokers wait before running
/// it; Python's brokers ignore it.
///
/// The delay of retry *n* (1, 2, ...) is computed from ``defaultDelay`` (or the task's
/// `retry_delay` label) every time, never from the previous retry's `delay` label:
/// `base`, or with ``useDelayExponent`` `min(base · 2^(n-1), maxDelayExponent)`, plus up to one
/// second of jitter with ``useJitter``. Python reads its own `delay` label back, so its delays grow
/// by accident (2 s, then 4.6 s with jitter); ours grow only when asked to.
///
/// ``retryOn`` and ``doNotRetryOn`` filter by error type name (`TimeoutError`, a Swift error
/// type's name, or a Python exception's `exc_type`) or code (see ``RetryFilter``); a task's
/// `retry_on` / `no_retry_on` labels replace them for that task. A task cancelled by
/// ``AsyncBroker/cancelTask(id:)`` (``TaskError/cancelled``) is never retried.
public struct SmartRetryMiddleware: TaskiqMiddleware {
    /// Total attempts when a message has no `max_retries` label.
    public var defaultRetryCount: Int
    /// Whether tasks without a `retry_on_error` label are retried.
    public var defaultRetryLabel: Bool
    /// Whether intermediate failures skip storing a result.
    public var noResultOnRetry: Bool
    /// The base delay in seconds.
    public var defaultDelay: Double
    /// Whether to add up to one second of random jitter.
    public var useJitter: Bool
    /// Whether the delay doubles with each retry.
    public var useDelayExponent: Bool
    /// The largest delay, in seconds, when doubling.
    public var maxDelayExponent: Double
    /// Retry only errors matching these patterns (``RetryFilter``); `nil` retries any.
    public var retryOn: Set<String>?
    /// Never retry errors matching these patterns (``RetryFilter``).
    public var doNotRetryOn: Set<String>

    /// Creates the middleware with taskiq's defaults.
    public init(
        defaultRetryCount: Int = 3, defaultRetryLabel: Bool = false, noResultOnRetry: Bool = true,
        defaultDelay: Double = 5, useJitter: Bool = false, useDelayExponent: Bool = false,
        maxDelayExponent: Double = 60, retryOn: Set<String>? = nil, doNotRetryOn: Set<String> = []
    ) {
        self.defaultRetryCount = defaultRetryCount
        self.defaultRetryLabel = defaultRetryLabel
        self.noResultOnRetry = noResultOnRetry
        self.defaultDelay = defaultDelay
        self.useJitter = useJitter
        self.useDelayExponent = useDelayExponent
        self.maxDelayExponent = maxDelayExponent
        self.retryOn = retryOn
        self.doNotRetryOn = doNotRetryOn
    }

    /// The delay before retry `attempt` (1-based) with this base, before jitter.
    public func delay(forRetry attempt: Int, base: Double) -> Double {
        guard useDelayExponent else { return base }
        let factor = pow2(max(0, attempt - 1))
        return min(base * factor, maxDelayExponent)
    }

    public func onError(_ message: TaskiqMessage, result: inout TaskiqResult<JSONValue>, error: TaskError) async throws {
        guard !error.isNoResult, !error.isCancelled else { return }
        let retryOnError = message.labels["retry_on_error"].map(SimpleRetryMiddleware.isTrue) ?? defaultRetryLabel
        guard retryOnError else { return }
        if !RetryFilter(retryOn: retryOn, noRetryOn: doNotRetryOn).allows(error, labels: message.labels) {
            TaskContext.current?.recordRetry(.filtered)
            return
        }
        let attempt = (SimpleRetryMiddleware.int(message.labels["_retries"]) ?? 0) + 1
        let maxRetries = SimpleRetryMiddleware.int(message.labels["max_retries"]) ?? defaultRetryCount
        guard attempt < maxRetries else {
            TaskContext.current?.logger.warning("maximum retries count (\(maxRetries)) is reached; storing the error")
            TaskContext.current?.recordRetry(.exhausted)
            return
        }
        guard let broker = TaskContext.current?.broker else { return }
        var base = defaultDelay
        if let label = message.labels["retry_delay"], label != .null {
            // Checked where it is read: longer than a broker holds a message back means that long;
            // NaN, infinities, negatives and text fall back to the default.
            do {
                base = try Duration.checkedSeconds(label, of: "retry_delay label").inSeconds
            } catch  where error.code == .tooLong {
                base = Duration.maximumCheckedSeconds
            } catch {
                TaskContext.current?.logger.warning("\(error); using the default delay of \(defaultDelay)s")
            }
        }
        var seconds = delay(forRetry: attempt, base: base)
        if useJitter { seconds += Double.random(in: 0..<1) }
        // A delay longer than the longest a broker holds a message back is the same as that one.
        seconds = min(seconds, Duration.maximumCheckedSeconds)
        var retry = message
        retry.setLabel("_retries", .int(attempt))
        retry.setLabel("delay", .double(seconds))
        TaskContext.current?.logger.info("retrying in \(seconds)s (attempt \(attempt + 1) of \(maxRetries)) after \(error.name)")
        try await broker.kick(retry)
        TaskiqMetrics.retries.labels(message.taskName).increment()
        TaskContext.current?.recordRetry(.scheduled)
        if noResultOnRetry { result.error = .noResult }
    }

    private func pow2(_ exponent: Int) -> Double {
        exponent >= 1023 ? .infinity : Double(sign: .plus, exponent: exponent, significand: 1)
    }
}
