import Taskiq

extension TaskiqRunner {
    /// `scheduler`: sends every broker's schedules until SIGINT or SIGTERM, then shuts the brokers down.
    func scheduler(_ system: TaskiqSystem) async throws -> Int32 {
        let logger = Logger(label: "taskiq.scheduler")
        let schedulers = try system.makeSchedulers()
        let settings = system.workerSettings
        for name in system.scheduledBrokerNames where system.isProcessLocal(broker: name) {
            let type = system.configuration.brokerSettings(named: name)?.broker.type.name ?? ""
            logger.warning("""
                the '\(type)' broker '\(name)' runs tasks in the process that kicks them: its scheduled tasks run \
                in this scheduler process; a worker on it sends its schedules itself
                """)
        }
        try await system.startup()
        let (stopped, stop) = AsyncStream<Void>.makeStream()
        let count = await system.scheduleSummaries().count
        let dynamic = system.hasSharedScheduleSource ? " and those added at run time to the Redis schedule source" : ""
        let ready = schedulers.isEmpty
            ? "scheduler ready; the configuration has no schedules, so there is nothing to send; waiting for SIGINT or SIGTERM"
            : "scheduler ready; sending \(count) schedule\(count == 1 ? "" : "s")\(dynamic) through \(system.scheduledBrokerNames.joined(separator: ", "))"
        let lifecycle = WorkerLifecycle(
            waitTasksTimeout: settings.waitTasksTimeout ?? settings.shutdownTimeout,
            shutdownTimeout: settings.shutdownTimeout,
            logger: logger,
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
