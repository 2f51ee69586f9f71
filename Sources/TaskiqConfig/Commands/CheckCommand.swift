import Taskiq

/// `check`: validates a configuration and prints it resolved, then its modules, tasks and schedules.
public struct CheckCommand: RunnerCommand {
    /// The name and help.
    public static let configuration = CommandConfiguration(
        "check", abstract: "Validate a configuration and print it resolved, with secrets masked.",
        discussion: """
            Then lists the loaded modules, the broker each is routed to and why, and their tasks, \
            and the schedules with the broker that sends each and its first fire time. With --fleet \
            it also connects to each broker and lists the consumers of its queue, warning about \
            consumers that may drop this configuration's tasks (exit status 1 when it warns).
            """)

    /// `-c, --config`, `-w, --workers`, `--fleet`, then the logging options.
    public static let options: [CommandOption<Self>] =
        [
            .configFile(\.config), .workers(\.workers),
            .flag("fleet", help: "Also list the consumers of each broker's queue and warn about those that may drop our tasks.", \.fleet),
        ] + .group(\.logging)

    /// The configuration file.
    public var config: String?
    /// Overrides `worker.workers`, checked as the file's value is.
    public var workers: String?
    /// Whether to list the consumers of each broker's queue.
    public var fleet = false
    /// The logging overrides.
    public var logging = LoggingOptions()

    /// Creates the command with its defaults.
    public init() {}

    /// Prints the warnings on standard error, the report on standard output, and returns 0;
    /// with `--fleet`, 1 when a consumer may drop this configuration's tasks.
    public func run(_ context: CommandContext) async throws -> Int32 {
        let system = try context.runner.assemble(
            config: config, workers: workers, logging: logging,
            environment: context.environment)
        for warning in system.warnings { Console.error("warning: \(warning)\n") }
        Console.out(
            Self.report(system)
                + Self.scheduleListing(await system.scheduleSummaries(), system: system))
        guard fleet else { return 0 }
        let (text, warnings) = try await Self.fleetListing(system)
        Console.out(text)
        for warning in warnings { Console.error("warning: \(warning)\n") }
        return warnings.isEmpty ? 0 : 1
    }

    /// The consumers of each broker's queue, read from its server, and the warnings about them.
    static func fleetListing(_ system: TaskiqSystem) async throws -> (String, [String]) {
        var text = "fleet:\n"
        var warnings: [String] = []
        try await system.startup()
        do {
            for name in system.brokerNames {
                guard let broker = system.broker(named: name) else { continue }
                let type = system.configuration.brokerSettings(named: name)?.broker.type.name ?? "?"
                guard let reporting = broker as? any FleetReporting else {
                    text += "  broker '\(name)' (\(type)): its server does not name the consumers of its queue\n"
                    continue
                }
                let fleet = try await reporting.fleet()
                let ours = system.tasks.filter { $0.broker == name }.map(\.name)
                let report = FleetReport(fleet, tasks: ours)
                text += "  broker '\(name)' (\(type)), \(fleet.queue):\n"
                for line in report.lines { text += "    \(line)\n" }
                warnings += report.warnings
            }
        } catch {
            try? await system.shutdown()
            throw error
        }
        try await system.shutdown()
        return (text, warnings)
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
        let dynamic =
            system.hasSharedScheduleSource
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
