import Synchronization

/// Values shared by every task a worker runs: what taskiq calls `TaskiqState`, filled by worker
/// startup hooks (a database pool opened once per worker) and read by tasks through
/// ``TaskContext/state``.
///
/// Values are stored under typed ``StateKey``s, so a task reads back the type a hook stored.
/// ```swift
/// let pool = try TaskContext.current!.state.require(.database)
/// ```
public final class TaskiqState: Sendable {
    private let values = Mutex<[String: any Sendable]>([:])

    /// Creates an empty state.
    public init() {}

    /// The value under `key`, or `nil` when none is set (or one of another type is).
    public subscript<Value>(_ key: StateKey<Value>) -> Value? {
        values.withLock { $0[key.name] } as? Value
    }

    /// Stores `value` under `key`, replacing what was there.
    public func set<Value>(_ value: Value, for key: StateKey<Value>) {
        values.withLock { $0[key.name] = value }
    }

    /// Removes the value under `key` and returns it.
    @discardableResult
    public func remove<Value>(_ key: StateKey<Value>) -> Value? {
        values.withLock { $0.removeValue(forKey: key.name) } as? Value
    }

    /// The value under `key`.
    /// - Throws: ``TaskiqError`` with code `state_missing` naming the key when no value is set,
    ///   or a value of another type is.
    public func require<Value>(_ key: StateKey<Value>) throws(TaskiqError) -> Value {
        let stored = values.withLock { $0[key.name] }
        guard let stored else {
            throw TaskiqError(
                .stateMissing,
                """
                the worker state has no '\(key.name)': no worker startup hook set it; is the module \
                that declares the hook loaded on this broker?
                """)
        }
        guard let value = stored as? Value else {
            throw TaskiqError(.stateMissing, "the worker state's '\(key.name)' is a \(type(of: stored)), not a \(Value.self)")
        }
        return value
    }

    /// The names of the values set, sorted.
    public var names: [String] { values.withLock { $0.keys.sorted() } }
}
