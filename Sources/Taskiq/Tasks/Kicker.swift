/// Sends one task with per-call settings: extra labels, another broker, a fixed task ID.
///
/// ```swift
/// try await add.kicker().withLabels(["priority": 5]).withTaskID("my-id").kiq(1, 2)
/// ```
public struct Kicker<each Argument: Codable & Sendable, Result: Sendable>: Sendable {
    let definition: TaskDefinition<repeat each Argument, Result>
    private var labels: JSONObject = [:]
    private var broker: (any AsyncBroker)?
    private var taskID: String?

    init(definition: TaskDefinition<repeat each Argument, Result>) {
        self.definition = definition
    }

    /// Adds labels, overriding the task's defaults of the same name.
    public func withLabels(_ labels: JSONObject) -> Self {
        var copy = self
        for (key, value) in labels { copy.labels[key] = value }
        return copy
    }

    /// Sends through this broker instead of the task's own.
    public func withBroker(_ broker: any AsyncBroker) -> Self {
        var copy = self
        copy.broker = broker
        return copy
    }

    /// Uses this task ID instead of a generated one.
    public func withTaskID(_ taskID: String) -> Self {
        var copy = self
        copy.taskID = taskID
        return copy
    }

    /// Makes the kick unique for `window`: another kick of the same task and arguments (or of the
    /// same `key`) inside it returns this kick's handle, or with `refuseDuplicates` throws
    /// ``TaskiqError`` with code `.duplicateTask`. Sets the `unique_for`, `unique_key` and
    /// `unique_on_duplicate` labels.
    /// - Parameters:
    ///   - window: How long the key is held; rounded to the millisecond.
    ///   - key: A key of the caller's choice instead of the task name and arguments.
    ///   - refuseDuplicates: Throw on a duplicate instead of returning the first task's handle.
    public func withUnique(for window: Duration, key: String? = nil, refuseDuplicates: Bool = false) -> Self {
        var labels: JSONObject = [UniqueKick.windowLabel: .double(window.inSeconds)]
        if let key { labels[UniqueKick.keyLabel] = .string(key) }
        if refuseDuplicates { labels[UniqueKick.duplicateLabel] = .string("refuse") }
        return withLabels(labels)
    }

    /// Sends the task with the given arguments.
    ///
    /// With a `unique_for` label (``withUnique(for:key:refuseDuplicates:)``), a kick of the same
    /// key inside the window sends nothing and returns a handle to the first kick's task.
    /// - Returns: A handle to read the typed result.
    /// - Throws: ``TaskiqError`` with code `.sendFailed`, or `.duplicateTask` for a refused duplicate.
    public func kiq(_ arguments: repeat each Argument) async throws -> TaskHandle<Result> {
        guard let broker = broker ?? definition.binding.broker else {
            throw TaskiqError(
                .sendFailed,
                """
                task '\(definition.name)' is not bound to a broker: register it (broker.register(_:)) \
                or its module, or send it with kicker().withBroker(_:)
                """)
        }
        let args = try definition.encodeArguments(repeat each arguments)
        var merged = definition.labels
        for (key, value) in labels { merged[key] = value }
        let settings = broker.components.settings
        let message = TaskiqMessage(
            taskID: taskID ?? settings.idGenerator(), taskName: definition.name,
            labels: merged, args: args)
        // A unique task kicked again within its window resolves to the first kick's ID.
        let taskID = try await broker.send(message, settings: settings)
        return TaskHandle(
            taskID: taskID, backend: settings.resultBackend, broker: broker,
            decode: definition.decodeResult)
    }
}
