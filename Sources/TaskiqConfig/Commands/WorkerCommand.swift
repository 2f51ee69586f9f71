import Taskiq

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `worker`: runs tasks from one broker until SIGINT or SIGTERM, or supervises worker processes.
public struct WorkerCommand: RunnerCommand {
    /// The name and help.
    public static let configuration = CommandConfiguration(
        "worker", abstract: "Run a worker that executes tasks from the broker.",
        discussion: """
            Loads the configuration, starts the broker and runs tasks until SIGINT or SIGTERM, \
            then stops taking tasks, lets running ones finish up to worker.shutdown_timeout and exits.

            With the in-memory broker, tasks run in the process that kicks them, so the worker \
            sends the schedules of that broker itself (see the scheduler command) and otherwise \
            keeps the process alive until it is stopped. With other brokers, run \
            'taskiq-run scheduler' to send the schedules.

            A worker listens on one broker: the main one, or with --broker a named one from the \
            "brokers" section, and runs the tasks of the modules that "tasks.routes" sends there. \
            Run one worker per broker. Every broker is started, so tasks can kick tasks routed \
            elsewhere.
            """)

    /// `-c, --config`, `--broker`, `-w, --workers`, then the logging options.
    public static let options: [CommandOption<Self>] =
        [.configFile(\.config), .broker(\.broker), .workers(\.workers)] + .group(\.logging)

    /// The configuration file.
    public var config: String?
    /// The broker to listen on; the main one when `nil`.
    public var broker: String?
    /// Overrides `worker.workers`.
    public var workers: String?
    /// The logging overrides.
    public var logging = LoggingOptions()

    /// Creates the command with its defaults.
    public init() {}

    /// The exit status of a worker that stopped after `max_tasks_per_child` deliveries, so that
    /// the supervisor replaces it at once instead of treating it as a crash.
    static let recycleExitStatus: Int32 = 75

    /// The environment variable the supervisor sets on the worker processes it spawns.
    static let workerIndexVariable = "TASKIQ_WORKER_INDEX"

    /// With `workers > 1`, or `max_tasks_per_child` on a broker other processes feed, supervises
    /// that many worker processes of this executable (so a recycled one is replaced); otherwise
    /// runs one worker on the `--broker` broker until SIGINT or SIGTERM, drains and exits 0.
    public func run(_ context: CommandContext) async throws -> Int32 {
        let system = try context.runner.assemble(
            config: config, workers: workers, logging: logging,
            environment: context.environment)
        let brokerName = try listenedBroker(in: system)
        let settings = system.workerSettings
        for warning in system.warnings { Logger(label: "taskiq.worker").warning(warning) }
        // A worker that recycles exits after max_tasks_per_child tasks: alone, nothing would replace it.
        let recycles = settings.maxTasksPerChild != nil && !system.isProcessLocal(broker: brokerName)
        if (settings.workers > 1 || recycles) && context.environment[Self.workerIndexVariable] == nil {
            return try await Self.supervise(
                settings, metrics: system.configuration.metrics, file: system.configuration.file,
                arguments: context.arguments)
        }
        return try await Self.runWorker(system, brokerName: brokerName, hooks: context.runner.workerHooks)
    }

    /// The broker `--broker` names, checked against the configuration; the main one by default.
    func listenedBroker(in system: TaskiqSystem) throws(CommandLineError) -> String {
        try system.brokerName(forOption: broker, command: Self.configuration.name)
    }

    private static func supervise(
        _ settings: WorkerSettings, metrics: MetricsSettings?, file: String,
        arguments: [String]
    ) async throws -> Int32 {
        let logger = Logger(label: "taskiq.supervisor")
        let endpoint = try metrics.map { metrics throws in
            try SupervisorMetrics(metrics, workers: settings.workers, file: file, logger: logger)
        }
        defer { endpoint?.shutdown() }
        let drain = (settings.waitTasksTimeout ?? settings.shutdownTimeout) + settings.shutdownTimeout
        let options = SupervisorOptions(
            workers: settings.workers,
            recycleExitStatus: settings.maxTasksPerChild == nil ? nil : Self.recycleExitStatus,
            shutdownTimeout: drain + .seconds(2),
            environment: endpoint?.environment ?? [:])
        logger.info("starting \(settings.workers) worker process\(settings.workers == 1 ? "" : "es")")
        return try await Supervisor(
            executable: Supervisor.currentExecutable, arguments: arguments,
            options: options, logger: logger
        ).run()
    }

    private static func runWorker(_ system: TaskiqSystem, brokerName: String, hooks: [any WorkerHook]) async throws -> Int32 {
        var logger = Logger(label: "taskiq.worker")
        if let index = ProcessInfo.processInfo.environment[Self.workerIndexVariable] {
            logger[metadataKey: "worker"] = index
        }
        let settings = system.workerSettings
        for hook in hooks { try hook.workerWillStart(system, broker: brokerName, logger: logger) }
        let metrics = try MetricsService.startWorker(
            system, broker: brokerName, environment: ProcessInfo.processInfo.environment,
            logger: logger)
        defer { metrics?.shutdown() }
        try await system.startup()
        let listened = system.tasks.filter { $0.broker == brokerName }
        let modules = system.modules.map(\.name).filter { system.configuration.brokerName(forModule: $0) == brokerName }
        logger.info(
            """
            broker '\(brokerName)' runs \(listened.count) tasks from \(modules.isEmpty ? "no modules" : modules.joined(separator: ", "))\
            \(listened.isEmpty ? "" : ": " + listened.map(\.name).joined(separator: ", "))
            """)

        let loop: @Sendable () async throws -> Void
        let stopIntake: @Sendable () -> Void
        var receiver: Receiver? = nil
        if system.isProcessLocal(broker: brokerName) {
            // Tasks kicked here run here, so this process is the one that must send the schedules.
            let schedulers = try system.makeSchedulers(brokers: [brokerName])
            let scheduled = await system.scheduleSummaries().filter { $0.broker == brokerName }.count
            let type = system.configuration.brokerSettings(named: brokerName)?.broker.type.name ?? ""
            let sending = scheduled == 0 ? "" : "; sending its \(scheduled) schedule\(scheduled == 1 ? "" : "s") from this process"
            let ready = """
                worker ready; the '\(type)' broker '\(brokerName)' runs tasks in the process that \
                kicks them, so there is nothing to listen to\(sending); waiting for SIGINT or SIGTERM
                """
            let (stopped, stop) = AsyncStream<Void>.makeStream()
            loop = { [logger] in
                logger.info(ready)
                try await SchedulerCommand.runSchedulers(schedulers, until: stopped)
            }
            stopIntake = { stop.finish() }
        } else {
            if system.brokerNamesWithWrittenSchedules.contains(brokerName) {
                logger.info("broker '\(brokerName)' has schedules; run 'taskiq-run scheduler' to send them (a worker does not)")
            }
            guard let broker = system.broker(named: brokerName) else { preconditionFailure("a checked broker name") }
            var options = system.receiverOptions(broker: brokerName)
            options.waitTasksTimeout = nil  // the lifecycle owns the drain deadline
            options.maxDeliveries = settings.maxTasksPerChild
            let running = Receiver(broker: broker, options: options)
            receiver = running
            if metrics != nil { MetricsService.observe(running, broker: brokerName) }
            let ready = "worker ready; listening on broker '\(brokerName)' with max_async_tasks=\(settings.maxAsyncTasks)"
            // Logged from the loop, which the lifecycle starts only once signals are subscribed,
            // so whoever waits for this line may signal the worker right away.
            loop = { [logger] in
                // The modules' startup hooks run before the worker says it is ready.
                try await broker.components.lifecycle.start(broker: broker, logger: logger)
                logger.info(ready)
                try await running.run()
            }
            stopIntake = { running.stop() }
        }
        let lifecycle = WorkerLifecycle(
            waitTasksTimeout: settings.waitTasksTimeout ?? settings.shutdownTimeout,
            shutdownTimeout: settings.shutdownTimeout,
            logger: logger,
            run: loop,
            stopIntake: stopIntake,
            shutdown: { [receiver] in
                receiver?.shutdown()
                try await system.shutdown()
            })
        for hook in hooks { hook.workerWillRun(receiver: receiver) }
        let status = try await lifecycle.run()
        for hook in hooks { hook.workerDidStop() }
        if status == 0, let receiver, let limit = settings.maxTasksPerChild, receiver.statistics.received >= limit {
            logger.info("recycling after \(limit) tasks")
            return Self.recycleExitStatus
        }
        return status
    }
}
