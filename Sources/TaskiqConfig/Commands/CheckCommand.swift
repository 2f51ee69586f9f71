/// `check`: validates a configuration and prints it resolved, then its modules, tasks and schedules.
public struct CheckCommand: RunnerCommand {
    /// The name and help.
    public static let configuration = CommandConfiguration(
        "check", abstract: "Validate a configuration and print it resolved, with secrets masked.",
        discussion: """
            Then lists the loaded modules, the broker each is routed to and why, and their tasks, \
            and the schedules with the broker that sends each and its first fire time.
            """)

    /// `-c, --config`, `-w, --workers`, then the logging options.
    public static let options: [CommandOption<Self>] = [.configFile(\.config), .workers(\.workers)] + .group(\.logging)

    /// The configuration file.
    public var config: String?
    /// Overrides `worker.workers`, checked as the file's value is.
    public var workers: String?
    /// The logging overrides.
    public var logging = LoggingOptions()

    /// Creates the command with its defaults.
    public init() {}

    /// Prints the warnings on standard error, the report on standard output, and returns 0.
    public func run(_ context: CommandContext) async throws -> Int32 {
        let system = try context.runner.assemble(config: config, workers: workers, logging: logging,
                                                 environment: context.environment)
        for warning in system.warnings { Console.error("warning: \(warning)\n") }
        Console.out(TaskiqRunner.checkReport(system)
            + TaskiqRunner.scheduleListing(await system.scheduleSummaries(), system: system))
        return 0
    }
}
