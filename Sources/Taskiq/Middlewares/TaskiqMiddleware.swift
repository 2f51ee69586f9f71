/// Hooks around sending and executing tasks, in taskiq's order.
///
/// Every hook has a default that does nothing, so a middleware states only what it does;
/// synchronous implementations satisfy the protocol too. With middlewares `[A, B]` the order is:
/// `A.preSend`, `B.preSend`, kick, `B.postSend`, `A.postSend` on the producer, and
/// `A.preExecute`, `B.preExecute`, the task, `B.onError`, `A.onError` (on failure),
/// `B.postExecute`, `A.postExecute`, store the result, `B.postSave`, `A.postSave` on the worker.
///
/// Worker-side hooks run inside the task's ``TaskContext``, so `TaskContext.current` gives the
/// broker (to re-kick, as the retry middlewares do), the logger and the message.
public protocol TaskiqMiddleware: Sendable {
    /// Called by the broker's startup, in list order.
    func startup() async throws
    /// Called by the broker's shutdown, in list order.
    func shutdown() async throws
    /// Called before a message is formatted and sent; returns the message to send.
    func preSend(_ message: TaskiqMessage) async throws -> TaskiqMessage
    /// Called after a message was sent, in reverse list order.
    func postSend(_ message: TaskiqMessage) async throws
    /// Called after a message was decoded and its task found; returns the message to execute.
    func preExecute(_ message: TaskiqMessage) async throws -> TaskiqMessage
    /// Called when the task failed, in reverse order. May change the result; setting its error to
    /// ``TaskError/noResult`` keeps it from being stored.
    func onError(_ message: TaskiqMessage, result: inout TaskiqResult<JSONValue>, error: TaskError) async throws
    /// Called after the task ran, in reverse order.
    func postExecute(_ message: TaskiqMessage, result: TaskiqResult<JSONValue>) async throws
    /// Called after the result was stored, in reverse order; not called when storing failed or was skipped.
    func postSave(_ message: TaskiqMessage, result: TaskiqResult<JSONValue>) async throws
}

extension TaskiqMiddleware {
    /// Does nothing.
    public func startup() async throws {}
    /// Does nothing.
    public func shutdown() async throws {}
    /// Returns the message unchanged.
    public func preSend(_ message: TaskiqMessage) async throws -> TaskiqMessage { message }
    /// Does nothing.
    public func postSend(_ message: TaskiqMessage) async throws {}
    /// Returns the message unchanged.
    public func preExecute(_ message: TaskiqMessage) async throws -> TaskiqMessage { message }
    /// Does nothing.
    public func onError(_ message: TaskiqMessage, result: inout TaskiqResult<JSONValue>, error: TaskError) async throws {}
    /// Does nothing.
    public func postExecute(_ message: TaskiqMessage, result: TaskiqResult<JSONValue>) async throws {}
    /// Does nothing.
    public func postSave(_ message: TaskiqMessage, result: TaskiqResult<JSONValue>) async throws {}
}
