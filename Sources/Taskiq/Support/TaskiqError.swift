/// An error raised by Taskiq itself (as opposed to an error thrown by a task).
///
/// The ``code`` says what kind of failure it is; ``message`` says what was found and what was
/// expected. Codes are an open set: compare with the static members.
public struct TaskiqError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's name.
        public let name: String
        /// Creates a code.
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// Bytes that are not a valid taskiq message.
        public static let invalidMessage = Code("invalid_message")
        /// A message names a task that is not registered.
        public static let unknownTask = Code("unknown_task")
        /// Formatting or sending a message failed.
        public static let sendFailed = Code("send_failed")
        /// Arguments that cannot be bound to the task's parameters.
        public static let invalidArguments = Code("invalid_arguments")
        /// No result is stored for the task ID.
        public static let resultMissing = Code("result_missing")
        /// Waiting for a result took longer than allowed.
        public static let resultTimeout = Code("result_timeout")
        /// The result backend failed.
        public static let resultBackend = Code("result_backend")
        /// A stored result that cannot be decoded.
        public static let invalidResult = Code("invalid_result")
        /// The component has been shut down.
        public static let shutDown = Code("shut_down")
        /// The broker cannot do what was asked (such as cancelling a task over ZeroMQ).
        public static let unsupported = Code("unsupported")
        /// A dead-letter queue could not store, read or remove letters.
        public static let deadLetterQueue = Code("dead_letter_queue")
        /// The log file cannot be opened for writing.
        public static let logFile = Code("log_file")
    }

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
