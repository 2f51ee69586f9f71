import Taskiq

/// `cancel`: sends a cancel request for one task ID through a broker and exits.
public struct CancelCommand: RunnerCommand {
    /// The name and help.
    public static let configuration = CommandConfiguration(
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
            """)

    /// `-c, --config`, `--broker`, then the logging options.
    public static let options: [CommandOption<Self>] = [.configFile(\.config), .broker(\.broker)] + .group(\.logging)
    /// `TASK_ID`.
    public static let arguments: [CommandArgument<Self>] = [
        .required("TASK_ID", help: "The ID of the task, as kick printed it.", \.taskID)
    ]

    /// The configuration file.
    public var config: String?
    /// The broker to send the request through; the main one when `nil`.
    public var broker: String?
    /// The logging overrides.
    public var logging = LoggingOptions()
    /// The ID of the task to cancel.
    public var taskID = ""

    /// Creates the command with its defaults.
    public init() {}

    /// Rejects an empty ID.
    public func validate() throws(CommandLineError) {
        guard !taskID.isEmpty else {
            throw CommandLineError(
                code: .invalidValue, command: Self.configuration.name, argument: taskID,
                message: "TASK_ID must not be empty")
        }
    }

    /// Sends the request and prints that it did.
    public func run(_ context: CommandContext) async throws -> Int32 {
        let system = try context.runner.assemble(config: config, logging: logging, environment: context.environment)
        let name = try system.brokerName(forOption: broker, command: Self.configuration.name)
        guard let broker = system.broker(named: name) else { preconditionFailure("a checked broker name") }
        if system.isProcessLocal(broker: name) {
            let type = system.configuration.brokerSettings(named: name)?.broker.type.name ?? ""
            throw TaskiqError(
                .unsupported,
                """
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
