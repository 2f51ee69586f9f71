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

    /// Sends the task with the given arguments.
    /// - Returns: A handle to read the typed result.
    /// - Throws: ``TaskiqError`` with code `.sendFailed`.
    public func kiq(_ arguments: repeat each Argument) async throws -> TaskHandle<Result> {
        guard let broker = broker ?? definition.binding.broker else {
            throw TaskiqError(.sendFailed, """
                task '\(definition.name)' is not bound to a broker: register it (broker.register(_:)) \
                or its module, or send it with kicker().withBroker(_:)
                """)
        }
        let args = try definition.encodeArguments(repeat each arguments)
        var merged = definition.labels
        for (key, value) in labels { merged[key] = value }
        let settings = broker.components.settings
        let message = TaskiqMessage(taskID: taskID ?? settings.idGenerator(), taskName: definition.name,
                                    labels: merged, args: args)
        try await broker.send(message, settings: settings)
        return TaskHandle(taskID: message.taskID, backend: settings.resultBackend, broker: broker,
                          decode: definition.decodeResult)
    }
}
