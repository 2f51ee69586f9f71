import Taskiq

/// `scheduler`: sends every broker's schedules until SIGINT or SIGTERM, then shuts the brokers down.
public struct SchedulerCommand: RunnerCommand {
    /// The name and help.
    public static let configuration = CommandConfiguration(
        "scheduler", abstract: "Send the scheduled tasks at their times.",
        discussion: """
            Loads the configuration, starts the brokers and sends the schedules of the "schedules" \
            list and of the tasks' own schedule labels, each through the broker its task is routed \
            to, until SIGINT or SIGTERM. Each send is logged at info level.

            Run one scheduler process next to the workers. The "scheduler" section sets the \
            catch-up policy for slots missed while no scheduler ran (catch_up: skip or run_once), \
            how often schedules are re-read (refresh_interval) and the lease and state store that \
            keep several schedulers from sending a slot twice.

            With the in-memory broker a worker sends its schedules itself, since tasks run in the \
            process that kicks them; a scheduler process would run them in its own process.
            """)

    /// `-c, --config`, then the logging options.
    public static let options: [CommandOption<Self>] = [.configFile(\.config)] + .group(\.logging)

    /// The configuration file.
    public var config: String?
    /// The logging overrides.
    public var logging = LoggingOptions()

    /// Creates the command with its defaults.
    public init() {}

    /// Sends the schedules until a signal, then drains and shuts down.
    public func run(_ context: CommandContext) async throws -> Int32 {
        let system = try context.runner.assemble(config: config, logging: logging, environment: context.environment)
        let logger = Logger(label: "taskiq.scheduler")
        let schedulers = try system.makeSchedulers()
        let settings = system.workerSettings
        for name in system.scheduledBrokerNames where system.isProcessLocal(broker: name) {
            let type = system.configuration.brokerSettings(named: name)?.broker.type.name ?? ""
            logger.warning(
                """
                the '\(type)' broker '\(name)' runs tasks in the process that kicks them: its scheduled tasks run \
                in this scheduler process; a worker on it sends its schedules itself
                """)
        }
        let metrics = try MetricsService.startScheduler(system, logger: logger)
        defer { metrics?.shutdown() }
        try await system.startup()
        let (stopped, stop) = AsyncStream<Void>.makeStream()
        let count = await system.scheduleSummaries().count
        let dynamic = system.hasSharedScheduleSource ? " and those added at run time to the Redis schedule source" : ""
        let ready =
            schedulers.isEmpty
            ? "scheduler ready; the configuration has no schedules, so there is nothing to send; waiting for SIGINT or SIGTERM"
            : "scheduler ready; sending \(count) schedule\(count == 1 ? "" : "s")\(dynamic) through \(system.scheduledBrokerNames.joined(separator: ", "))"
        let lifecycle = WorkerLifecycle(
            waitTasksTimeout: settings.waitTasksTimeout ?? settings.shutdownTimeout,
            shutdownTimeout: settings.shutdownTimeout,
            logger: logger,
            role: .scheduler,
            run: { [logger] in
                logger.info(ready)
                try await Self.runSchedulers(schedulers, until: stopped)
            },
            stopIntake: { stop.finish() },
            shutdown: { try await system.shutdown() })
        return try await lifecycle.run()
    }

    /// Runs the schedulers until `stopped` ends (or the task is cancelled), then stops them all.
    ///
    /// A scheduler that fails (a source that cannot start) stops the others and its error is thrown.
    static func runSchedulers(_ schedulers: [Scheduler], until stopped: AsyncStream<Void>) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for scheduler in schedulers {
                group.addTask { try await scheduler.run() }
            }
            group.addTask { for await _ in stopped {} }
            defer { group.cancelAll() }
            try await group.next()
            group.cancelAll()
            try await group.waitForAll()
        }
    }
}
