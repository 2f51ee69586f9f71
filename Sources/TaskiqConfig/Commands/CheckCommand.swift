import Taskiq

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
        Console.out(Self.report(system)
            + Self.scheduleListing(await system.scheduleSummaries(), system: system))
        return 0
    }

    /// What `check` prints on standard output.
    static func report(_ system: TaskiqSystem) -> String {
        var text = "\(system.configuration.file): OK\n"
        text += system.resolvedConfiguration.prettyPrinted + "\n"
        text += "tasks:\n"
        let tasks = system.tasks
        for module in system.modules {
            text += "  \(TasksCommand.moduleHeading(module.name, system: system))\n"
            for task in tasks where task.module == module.name { text += "    \(task.signature)\n" }
        }
        return text
    }

    /// The schedules part of `check`: each with its first fire time and who sends it.
    static func scheduleListing(_ summaries: [ScheduleSummary], system: TaskiqSystem) -> String {
        let dynamic = system.hasSharedScheduleSource
            ? "dynamic schedules: added at run time to Redis (keys 'schedule:*' on the result backend's server), read by every scheduler\n"
            : ""
        guard !summaries.isEmpty else { return "schedules: none\n" + dynamic }
        var text = "schedules (first fire times for a scheduler starting now):\n"
        for summary in summaries { text += "  \(summary.line)\n" }
        let brokers = Set(summaries.map(\.broker))
        let local = brokers.filter { system.isProcessLocal(broker: $0) }.sorted()
        let remote = brokers.subtracting(local).sorted()
        if !local.isEmpty {
            text += "  sent by the worker of broker \(local.joined(separator: ", ")) (in-process broker)\n"
        }
        if !remote.isEmpty {
            text += "  sent by 'taskiq-run scheduler' for broker \(remote.joined(separator: ", "))\n"
        }
        return text + dynamic
    }
}
