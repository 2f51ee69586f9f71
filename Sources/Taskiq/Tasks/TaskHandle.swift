/// A sent task: read its typed result or progress.
public struct TaskHandle<Result: Sendable>: Sendable {
    /// The task's ID.
    public let taskID: String
    let backend: any ResultBackend
    let decode: @Sendable (JSONValue) throws -> Result
    let broker: (any AsyncBroker)?

    /// Creates a handle for a task sent elsewhere, to read its result from a backend.
    public init(taskID: String, backend: any ResultBackend) where Result: Decodable {
        self.init(taskID: taskID, backend: backend, broker: nil, decode: { try $0.decode(Result.self, lax: true) })
    }

    /// Creates a handle for a task sent elsewhere, to read its result from the broker's backend
    /// and to cancel it through the broker.
    public init(taskID: String, broker: any AsyncBroker) where Result: Decodable {
        self.init(
            taskID: taskID, backend: broker.resultBackend, broker: broker,
            decode: { try $0.decode(Result.self, lax: true) })
    }

    init(
        taskID: String, backend: any ResultBackend, broker: (any AsyncBroker)?,
        decode: @escaping @Sendable (JSONValue) throws -> Result
    ) {
        self.taskID = taskID
        self.backend = backend
        self.broker = broker
        self.decode = decode
    }

    /// Asks the workers to cancel this task (see ``AsyncBroker/cancelTask(id:)``): if it is
    /// running it is cancelled, if it has not started it will not run; its result becomes a
    /// ``TaskError/cancelled`` error. Cancelling a finished task does nothing.
    /// - Throws: ``TaskiqError`` with code `.unsupported` when the broker cannot
    ///   carry cancellations (ZeroMQ) or the handle was made without a broker.
    public func cancel() async throws {
        guard let broker else {
            throw TaskiqError(.unsupported, "the handle of task \(taskID) was made without a broker; use broker.cancelTask(id:)")
        }
        try await broker.cancelTask(id: taskID)
    }

    /// Whether the result is stored.
    public func isReady() async throws -> Bool {
        try await backend.isResultReady(taskID)
    }

    /// Reads the stored result.
    /// - Parameter withLogs: Include logs captured during execution.
    /// - Throws: ``TaskiqError`` when no result is stored or it cannot be decoded as `Result`.
    public func getResult(withLogs: Bool = false) async throws -> TaskiqResult<Result> {
        try typed(try await backend.getResult(taskID, withLogs: withLogs))
    }

    /// Waits for the result. Backends that can notify (in-memory) wake the waiter at once.
    ///
    /// Called inside a task, it tells the worker that this task waits for another one, so a
    /// worker whose every runner waits like this starts one more rather than deadlock.
    /// - Parameters:
    ///   - timeout: How long to wait; `nil` waits until the result arrives or the task is cancelled.
    ///   - withLogs: Include logs captured during execution.
    /// - Throws: ``TaskiqError`` with code `.resultTimeout` when time runs out.
    public func waitResult(timeout: Duration? = nil, withLogs: Bool = false) async throws -> TaskiqResult<Result> {
        try typed(try await SubtaskWait.around { try await backend.waitResult(taskID, timeout: timeout, withLogs: withLogs) })
    }

    /// Reads the progress the task reported, if any.
    public func getProgress() async throws -> TaskProgress? {
        try await backend.getProgress(taskID)
    }

    private func typed(_ raw: TaskiqResult<JSONValue>) throws -> TaskiqResult<Result> {
        var value: Result? = nil
        if !raw.isErr, let returned = raw.returnValue {
            do {
                value = try decode(returned)
            } catch {
                throw TaskiqError(
                    .invalidResult, "the return value of task \(taskID) cannot be decoded as \(Result.self)",
                    underlying: error)
            }
        }
        return TaskiqResult(
            isErr: raw.isErr, log: raw.log, returnValue: value,
            executionTime: raw.executionTime, labels: raw.labels, error: raw.error)
    }
}
