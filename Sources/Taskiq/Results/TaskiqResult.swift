/// The outcome of one task execution, typed by the task's return type.
///
/// The wire form is taskiq's result JSON (`is_err`, `log`, `return_value`, `execution_time`,
/// `labels`, `error`). Backends store ``TaskiqResult`` of ``JSONValue``; a ``TaskHandle`` decodes it
/// into the task's declared type.
public struct TaskiqResult<Value: Sendable>: Sendable {
    /// Whether the task failed.
    public var isErr: Bool
    /// Logs captured during execution, when the broker's `logsFormat` asks for them and the
    /// reader asked for logs; otherwise `nil`.
    public var log: String?
    /// The value the task returned; `nil` when it failed.
    public var returnValue: Value?
    /// How long the task ran, in seconds.
    public var executionTime: Double
    /// The message's labels as the worker saw them (typed values).
    public var labels: [String: JSONValue]
    /// The task's error, when it failed.
    public var error: TaskError?

    /// Creates a result.
    public init(
        isErr: Bool, log: String? = nil, returnValue: Value?, executionTime: Double,
        labels: [String: JSONValue] = [:], error: TaskError? = nil
    ) {
        self.isErr = isErr
        self.log = log
        self.returnValue = returnValue
        self.executionTime = executionTime
        self.labels = labels
        self.error = error
    }

    /// The returned value, or the task's error thrown (taskiq's `raise_for_error`).
    public func get() throws -> Value {
        if let error { throw error }
        if isErr { throw TaskError(name: "UnknownError", arguments: ["the task failed without an error"]) }
        guard let returnValue else {
            throw TaskiqError(.invalidResult, "the result has no return value of type \(Value.self)")
        }
        return returnValue
    }

    /// The same result with the return value transformed.
    public func map<T: Sendable>(_ transform: (Value) throws -> T) rethrows -> TaskiqResult<T> {
        TaskiqResult<T>(
            isErr: isErr, log: log, returnValue: try returnValue.map(transform),
            executionTime: executionTime, labels: labels, error: error)
    }
}
