/// `tasks`: lists the loaded modules with their brokers, then each task's signature and labels.
public struct TasksCommand: RunnerCommand {
    /// The name and help.
    public static let configuration = CommandConfiguration(
        "tasks", abstract: "List the loaded modules, the broker each is routed to, and their tasks.")

    /// `-c, --config`, then the logging options.
    public static let options: [CommandOption<Self>] = [.configFile(\.config)] + .group(\.logging)

    /// The configuration file.
    public var config: String?
    /// The logging overrides.
    public var logging = LoggingOptions()

    /// Creates the command with its defaults.
    public init() {}

    /// Prints the listing and returns 0.
    public func run(_ context: CommandContext) async throws -> Int32 {
        let system = try context.runner.assemble(config: config, logging: logging, environment: context.environment)
        Console.out(TaskiqRunner.taskListing(system))
        return 0
    }
}
