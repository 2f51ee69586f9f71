import Synchronization

/// A backend that stores nothing: taskiq's default when no backend is configured.
///
/// Every result reads as ready, successful, with a `nil` return value and zero execution time.
/// The first time anyone waits on it, it logs one warning naming the fix.
public final class DummyResultBackend: ResultBackend {
    private let warned = Atomic<Bool>(false)
    private let logger = Logger(label: "taskiq.result_backend")

    /// Creates the backend.
    public init() {}

    /// Discards the result.
    public func setResult(_ result: TaskiqResult<JSONValue>, for taskID: String) async throws {}

    /// Always `true`.
    public func isResultReady(_ taskID: String) async throws -> Bool { true }

    /// A successful result with a `nil` return value.
    public func getResult(_ taskID: String, withLogs: Bool) async throws -> TaskiqResult<JSONValue> {
        if !warned.exchange(true, ordering: .relaxed) {
            logger.warning(
                """
                No result backend is configured, so results are not stored and every result reads as \
                nil (task \(taskID)). Configure one: broker.withResultBackend(InMemoryResultBackend()) \
                in code, or "result_backend": {"type": "inmemory"} in the config file.
                """)
        }
        return TaskiqResult(isErr: false, returnValue: nil, executionTime: 0)
    }

    /// Returns at once, like ``getResult(_:withLogs:)``.
    public func waitResult(_ taskID: String, timeout: Duration?, withLogs: Bool) async throws -> TaskiqResult<JSONValue> {
        try await getResult(taskID, withLogs: withLogs)
    }
}
