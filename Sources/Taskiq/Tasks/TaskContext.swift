/// What a running task can reach: its message, the broker, a logger and progress reporting.
///
/// Available as `TaskContext.current` inside a task body and inside worker-side middleware hooks:
/// ```swift
/// let report = broker.task("report") { () async throws -> Int in
///     let context = TaskContext.current!
///     context.logger.info("starting")
///     try await context.setProgress("STARTED", meta: ["pct": 0])
///     return 1
/// }
/// ```
public struct TaskContext: Sendable {
    /// The context of the task running on the current Swift task, if any.
    @TaskLocal public static var current: TaskContext?

    /// The message being executed (labels are typed values).
    public let message: TaskiqMessage
    /// The broker the message came from; use it to kick follow-up tasks.
    public let broker: any AsyncBroker
    /// A logger carrying the task's name and ID (and `trace_id` when the message carries a W3C
    /// `traceparent` label); when the broker captures logs, lines go to the result too.
    public var logger: Logger {
        var logger = Logger(label: "taskiq.task", metadata: ["task_name": message.taskName, "task_id": message.taskID])
        if let traceID { logger[metadataKey: "trace_id"] = traceID }
        logger.capture = capture
        return logger
    }

    /// The worker's logger with the task's name and ID, without capture (built only when used).
    var workerLogger: Logger {
        var logger = baseLogger
        logger[metadataKey: "task_name"] = message.taskName
        logger[metadataKey: "task_id"] = message.taskID
        if let traceID { logger[metadataKey: "trace_id"] = traceID }
        return logger
    }

    /// The trace ID of the message's valid `traceparent` label, so log lines join the task's trace.
    var traceID: String? {
        guard !message.labels.isEmpty, let header = message.labels[TraceParent.key]?.stringValue else { return nil }
        return TraceParent(header: header)?.traceID.hex
    }

    private let baseLogger: Logger
    let capture: LogCapture?

    /// The task's ID.
    public var taskID: String { message.taskID }
    /// The task's name.
    public var taskName: String { message.taskName }
    /// The message's labels.
    public var labels: [String: JSONValue] { message.labels }
    /// The values the worker's startup hooks share with every task of the broker.
    public var state: TaskiqState { broker.components.lifecycle.state }

    let acknowledger: Acknowledger?
    /// Where ``recordRetry(_:)`` writes; `nil` when the receiver does not need the decision.
    let retryDecisions: RetryDecisionBox?

    /// Creates a context.
    /// - Parameters:
    ///   - message: The message being executed.
    ///   - broker: The broker it came from.
    ///   - logger: The logger to derive the task's logger from (the task's name and ID are added).
    public init(message: TaskiqMessage, broker: any AsyncBroker, logger: Logger) {
        self.init(message: message, broker: broker, logger: logger, capture: nil, acknowledger: nil)
    }

    init(
        message: TaskiqMessage, broker: any AsyncBroker, logger: Logger, capture: LogCapture?, acknowledger: Acknowledger?,
        retryDecisions: RetryDecisionBox? = nil
    ) {
        self.message = message
        self.broker = broker
        self.baseLogger = logger
        self.capture = capture
        self.acknowledger = acknowledger
        self.retryDecisions = retryDecisions
    }

    /// Reports what a retry middleware decided about this failed task, from its `onError`.
    ///
    /// The receiver reads it after the `onError` hooks: a task whose retry was
    /// ``RetryDecision/scheduled`` is not finished; one whose retries are
    /// ``RetryDecision/exhausted`` or ``RetryDecision/filtered`` goes to the broker's dead-letter
    /// queue under the default ``DeadLetterPolicy``. Custom retry middlewares call it too.
    public func recordRetry(_ decision: RetryDecision) {
        retryDecisions?.decision = decision
    }

    /// The decision recorded with ``recordRetry(_:)``, if any.
    var retryDecision: RetryDecision? { retryDecisions?.decision }

    /// Whether the delivery can be acknowledged.
    public var isAckable: Bool { acknowledger?.isAckable ?? false }

    /// Acknowledges the delivery now (for the `manual` ack type); later acks do nothing.
    /// - Throws: ``TaskiqError`` when the delivery is not ackable, or the broker's ack error.
    public func ack() async throws {
        guard let acknowledger, acknowledger.isAckable else {
            throw TaskiqError(.invalidMessage, "the delivery of task \(taskID) cannot be acknowledged")
        }
        if let error = await acknowledger() { throw error }
    }

    /// Stores progress for producers to read with `handle.getProgress()`.
    /// - Parameters:
    ///   - state: `STARTED`, `SUCCESS`, `FAILURE`, `RETRY` or any other string.
    ///   - meta: Any detail; `nil` keeps the previous detail.
    public func setProgress(_ state: String, meta: JSONValue? = nil) async throws {
        try await broker.resultBackend.setProgress(TaskProgress(state: state, meta: meta), for: taskID)
    }

    /// Sends this message again with the same task ID and an incremented `X-Taskiq-requeue` label,
    /// then throws ``NoResultError`` so this attempt stores no result.
    public func requeue() async throws -> Never {
        var next = message
        let count =
            (message.labels["X-Taskiq-requeue"]?.intValue
                ?? message.labels["X-Taskiq-requeue"]?.stringValue.flatMap { Int($0) } ?? 0) + 1
        next.setLabel("X-Taskiq-requeue", .string(String(count)))
        try await broker.kick(next)
        throw NoResultError()
    }
}
