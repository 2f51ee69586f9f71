/// An error raised by a task, in the shape taskiq stores it (Python's `ExceptionRepr`).
///
/// Swift errors thrown by a task are converted with ``init(_:)``: the type name becomes ``name``,
/// the module becomes ``module`` and the description becomes the single argument. Errors from Python
/// workers arrive with their exception class, module and arguments.
public struct TaskError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The error type's name (`exc_type`), for example `ValueError` or `TimeoutError`.
    public var name: String
    /// The error's arguments (`exc_message`); Python exceptions usually carry the message first.
    public var arguments: [JSONValue]
    /// The module that defines the type (`exc_module`), if known.
    public var module: String?
    /// The error that caused this one (`exc_cause`).
    public var cause: Box?
    /// The error being handled when this one was raised (`exc_context`).
    public var context: Box?
    /// Whether the context is suppressed (`exc_suppress_context`).
    public var suppressContext: Bool

    /// Indirect storage for nested errors.
    public final class Box: Sendable, Hashable {
        /// The nested error.
        public let error: TaskError
        /// Wraps an error.
        public init(_ error: TaskError) { self.error = error }
        public static func == (lhs: Box, rhs: Box) -> Bool { lhs.error == rhs.error }
        public func hash(into hasher: inout Hasher) { hasher.combine(error) }
    }

    /// Creates an error representation.
    public init(
        name: String, arguments: [JSONValue] = [], module: String? = nil, cause: TaskError? = nil,
        context: TaskError? = nil, suppressContext: Bool = false
    ) {
        self.name = name
        self.arguments = arguments
        self.module = module
        self.cause = cause.map(Box.init)
        self.context = context.map(Box.init)
        self.suppressContext = suppressContext
    }

    /// Converts any Swift error, keeping a ``TaskError`` as it is.
    public init(_ error: any Error) {
        if let error = error as? TaskError {
            self = error
            return
        }
        if error is NoResultError {
            self = .noResult
            return
        }
        let qualified = String(reflecting: type(of: error))
        var module: String? = nil
        var name = qualified
        if let dot = qualified.firstIndex(of: ".") {
            module = String(qualified[..<dot])
            name = String(qualified[qualified.index(after: dot)...])
        }
        self.init(name: name, arguments: [.string(String(describing: error))], module: module)
    }

    /// The message: the first argument if it is a string, otherwise all arguments joined.
    public var message: String {
        if arguments.count == 1, case .string(let s) = arguments[0] { return s }
        return arguments.map { $0.stringValue ?? $0.pythonRepr }.joined(separator: ", ")
    }

    public var description: String {
        var text = arguments.isEmpty ? name : "\(name): \(message)"
        if let cause { text += " (caused by \(cause.error))" }
        return text
    }

    /// Python's `TimeoutError`, stored when a task exceeds its `timeout` label.
    public static let timeout = TaskError(name: "TimeoutError", module: "builtins")

    /// taskiq's `NoResultError`: a result carrying it is not stored (retry middlewares set it).
    public static let noResult = TaskError(name: "NoResultError", module: "taskiq.exceptions")

    /// The result of a task cancelled by ``AsyncBroker/cancelTask(id:)``, before or while it ran.
    ///
    /// Python has no such class: it decodes as an `Exception` subclass named `TaskCancelledError`
    /// in `taskiq.exceptions`, as it does for any unknown error type.
    public static let cancelled = TaskError(
        name: "TaskCancelledError", arguments: [.string("the task was cancelled by request")],
        module: "taskiq.exceptions")

    /// Whether this is ``cancelled``: retry middlewares never retry it.
    public var isCancelled: Bool { name == "TaskCancelledError" && module == "taskiq.exceptions" }

    /// Whether this is ``noResult``.
    public var isNoResult: Bool { name == "NoResultError" && module == "taskiq.exceptions" }
}

/// Thrown by a task (or set as a result's error by a middleware) so that no result is stored.
public struct NoResultError: Error, Sendable {
    /// Creates the error.
    public init() {}
}
