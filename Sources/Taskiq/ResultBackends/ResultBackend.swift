/// Stores task results and progress so that producers can read them.
///
/// Backends deal in untyped results (``TaskiqResult`` of ``JSONValue``); ``TaskHandle`` decodes them
/// into the task's return type. Implement ``waitResult(_:timeout:withLogs:)`` when the backend can
/// notify waiters; the default implementation polls with a backoff from 1 ms up to 50 ms.
public protocol ResultBackend: Sendable {
    /// Prepares the backend (connect, allocate). Called by the broker's startup.
    func startup() async throws
    /// Releases resources. Called by the broker's shutdown.
    func shutdown() async throws
    /// Stores a task's result.
    func setResult(_ result: TaskiqResult<JSONValue>, for taskID: String) async throws
    /// Whether a result is stored for the task.
    func isResultReady(_ taskID: String) async throws -> Bool
    /// Reads a stored result.
    /// - Throws: ``TaskiqError`` with code `.resultMissing` when none is stored.
    func getResult(_ taskID: String, withLogs: Bool) async throws -> TaskiqResult<JSONValue>
    /// Waits until a result is stored, then reads it.
    /// - Parameters:
    ///   - taskID: The task whose result to wait for.
    ///   - timeout: How long to wait; `nil` waits forever.
    ///   - withLogs: Include the logs captured during execution.
    /// - Throws: ``TaskiqError`` with code `.resultTimeout` when the time runs out.
    func waitResult(_ taskID: String, timeout: Duration?, withLogs: Bool) async throws -> TaskiqResult<JSONValue>
    /// Stores a task's progress.
    func setProgress(_ progress: TaskProgress, for taskID: String) async throws
    /// Reads a task's progress, if any was reported.
    func getProgress(_ taskID: String) async throws -> TaskProgress?
}

extension ResultBackend {
    /// Does nothing.
    public func startup() async throws {}
    /// Does nothing.
    public func shutdown() async throws {}
    /// Does nothing: progress is not stored.
    public func setProgress(_ progress: TaskProgress, for taskID: String) async throws {}
    /// Returns `nil`: progress is not stored.
    public func getProgress(_ taskID: String) async throws -> TaskProgress? { nil }

    /// Polls ``isResultReady(_:)`` with a backoff from 1 ms to 50 ms. A transient error while
    /// polling is retried until the deadline rather than aborting the wait.
    public func waitResult(_ taskID: String, timeout: Duration?, withLogs: Bool) async throws -> TaskiqResult<JSONValue> {
        try await ResultPoll().wait(
            for: taskID, timeout: timeout,
            attempt: { try await isResultReady(taskID) ? try await getResult(taskID, withLogs: withLogs) : nil },
            isTransient: { _ in true },
            pause: { try await Task.sleep(for: $0) })
    }
}
