import Taskiq

extension TaskiqRunner {
    static let cancelCommand = CommandSpec(
        "cancel", abstract: "Ask the workers to cancel a task by its ID.",
        discussion: """
            Sends a cancel request through the broker (the main one, or with --broker a named one) \
            and exits; it does not wait. A running async task is cancelled cooperatively (Swift task \
            cancellation); a synchronous task cannot be interrupted: it finishes, but its result is \
            reported as cancelled. A task that has not started yet (queued, delayed or a retry) will \
            not run: requests are remembered for an hour. The stored result is a TaskCancelledError \
            and the task is not retried. An unknown or finished ID is harmless.

            Works with the Redis brokers (the request goes to the workers of the broker's queue). \
            ZeroMQ cannot carry it, and in-memory brokers run tasks in the process that kicks them, \
            out of reach of this command.
            """,
        options: [Self.configOption, Self.brokerOption] + Self.loggingOptions,
        arguments: [ArgumentSpec("TASK_ID", help: "The ID of the task, as kick printed it.")])

    /// `cancel`: sends a cancel request for one task ID through a broker.
    func cancel(_ command: ParsedCommand, system: TaskiqSystem) async throws -> Int32 {
        let taskID = command.argument("TASK_ID") ?? ""
        guard !taskID.isEmpty else {
            throw CommandLineError(code: .invalidValue, command: "cancel", argument: taskID,
                                   message: "TASK_ID must not be empty")
        }
        let name = command.string("broker") ?? TaskiqConfiguration.defaultBrokerName
        guard let broker = system.broker(named: name) else {
            var message = "unknown broker '\(name)' for '--broker'"
            if let match = closestMatch(to: name, in: system.brokerNames) { message += "; did you mean '\(match)'?" }
            message += "; \(system.configuration.file) declares: \(system.brokerNames.joined(separator: ", "))"
            throw CommandLineError(code: .invalidValue, command: "cancel", argument: name, message: message)
        }
        if system.isProcessLocal(broker: name) {
            let type = system.configuration.brokerSettings(named: name)?.broker.type.name ?? ""
            throw TaskiqError(.unsupported, """
                the '\(type)' broker '\(name)' runs tasks in the process that kicks them; another process \
                cannot cancel them (use broker.cancelTask(id:) in that process)
                """)
        }
        // No startup: a request is one command, and the ZeroMQ broker must not bind to refuse it.
        do {
            try await broker.cancelTask(id: taskID)
            try await broker.shutdown()
        } catch {
            try? await broker.shutdown()
            throw error
        }
        Console.out("cancel requested for \(taskID)\n")
        return 0
    }
}
