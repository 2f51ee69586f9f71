/// Where kicks of unique tasks are recorded: the first kick of a key records its task ID for a
/// window, and kicks of the same key inside the window find it.
///
/// ``InMemoryUniqueStore`` serves one process; Redis brokers record keys in Redis
/// (`SET key id NX PX window`), so every producer of the queue shares them.
public protocol UniqueStore: Sendable {
    /// Records `taskID` under `key` for `window`, unless a task ID is recorded there already.
    /// - Returns: `nil` when `taskID` was recorded; otherwise the task ID recorded first.
    func claim(_ key: String, taskID: String, for window: Duration) async throws -> String?

    /// Removes `key` if it still records `taskID` (its kick failed to send, so a later kick may try).
    func release(_ key: String, taskID: String) async throws
}
