/// An error raised by Taskiq itself (as opposed to an error thrown by a task).
///
/// The ``code`` says what kind of failure it is; ``message`` says what was found and what was
/// expected. Codes are an open set: compare with the static members.
public struct TaskiqError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public typealias Code = ErrorCode<TaskiqError>

    /// What kind of failure this is.
    public var code: Code
    /// A sentence saying what went wrong, where, and what was expected.
    public var message: String
    /// The error that caused this one, if any.
    public var underlying: (any Error)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String {
        if let underlying { "\(message): \(underlying)" } else { message }
    }
}

extension ErrorCode where Domain == TaskiqError {
    /// Bytes that are not a valid taskiq message.
    public static var invalidMessage: Self { "invalid_message" }
    /// A message names a task that is not registered.
    public static var unknownTask: Self { "unknown_task" }
    /// Formatting or sending a message failed.
    public static var sendFailed: Self { "send_failed" }
    /// Arguments that cannot be bound to the task's parameters.
    public static var invalidArguments: Self { "invalid_arguments" }
    /// No result is stored for the task ID.
    public static var resultMissing: Self { "result_missing" }
    /// Waiting for a result took longer than allowed.
    public static var resultTimeout: Self { "result_timeout" }
    /// The result backend failed.
    public static var resultBackend: Self { "result_backend" }
    /// A stored result that cannot be decoded.
    public static var invalidResult: Self { "invalid_result" }
    /// The component has been shut down.
    public static var shutDown: Self { "shut_down" }
    /// The broker cannot do what was asked (such as cancelling a task over ZeroMQ).
    public static var unsupported: Self { "unsupported" }
    /// A dead-letter queue could not store, read or remove letters.
    public static var deadLetterQueue: Self { "dead_letter_queue" }
    /// The log file cannot be opened for writing.
    public static var logFile: Self { "log_file" }
    /// A unique task (`unique_for`, with `unique_on_duplicate: "refuse"`) was kicked again
    /// inside its window; the message names the first task's ID.
    public static var duplicateTask: Self { "duplicate_task" }
    /// A task asked the worker's ``TaskiqState`` for a value no startup hook set.
    public static var stateMissing: Self { "state_missing" }
    /// A worker startup hook (``LifecycleHook``) failed; the worker did not start.
    public static var startupFailed: Self { "startup_failed" }
}
