#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Taskiq

extension TaskiqRunner {
    /// The exit status of a worker that stopped after `max_tasks_per_child` deliveries, so that
    /// the supervisor replaces it at once instead of treating it as a crash.
    static let recycleExitStatus: Int32 = 75

    /// The environment variable the supervisor sets on the worker processes it spawns.
    static let workerIndexVariable = "TASKIQ_WORKER_INDEX"

    /// `worker`: with `workers > 1`, supervises that many worker processes of this executable;
    /// otherwise runs one worker until SIGINT or SIGTERM, drains and exits 0.
    func worker(_ system: TaskiqSystem, arguments: [String], environment: [String: String]) async throws -> Int32 {
        let settings = system.workerSettings
        for warning in system.warnings { Logger(label: "taskiq.worker").warning(warning) }
        if settings.workers > 1 && environment[Self.workerIndexVariable] == nil {
            return try await supervise(settings, arguments: arguments)
        }
        return try await runWorker(system)
    }

    private func supervise(_ settings: WorkerSettings, arguments: [String]) async throws -> Int32 {
        let logger = Logger(label: "taskiq.supervisor")
        let drain = (settings.waitTasksTimeout ?? settings.shutdownTimeout) + settings.shutdownTimeout
        let options = SupervisorOptions(
            workers: settings.workers,
            recycleExitStatus: settings.maxTasksPerChild == nil ? nil : Self.recycleExitStatus,
            shutdownTimeout: drain + .seconds(2))
        logger.info("starting \(settings.workers) worker processes")
        return try await Supervisor(executable: Supervisor.currentExecutable, arguments: arguments,
                                    options: options, logger: logger).run()
    }

    private func runWorker(_ system: TaskiqSystem) async throws -> Int32 {
        var logger = Logger(label: "taskiq.worker")
        if let index = ProcessInfo.processInfo.environment[Self.workerIndexVariable] {
            logger[metadataKey: "worker"] = index
        }
        let settings = system.workerSettings
        try await system.startup()
        let tasks = system.tasks.map(\.name)
        logger.info("loaded \(tasks.count) tasks from \(system.modules.map(\.name).joined(separator: ", ")): \(tasks.joined(separator: ", "))")

        let loop: @Sendable () async throws -> Void
        let stopIntake: @Sendable () -> Void
        var receiver: Receiver? = nil
        if system.isProcessLocal {
            logger.info("""
                worker ready; the '\(system.configuration.broker.type.name)' broker runs tasks in the process that \
                kicks them, so there is nothing to listen to; waiting for SIGINT or SIGTERM
                """)
            let (stopped, stop) = AsyncStream<Void>.makeStream()
            loop = { for await _ in stopped { break } }
            stopIntake = { stop.finish() }
        } else {
            var options = system.receiverOptions
            options.waitTasksTimeout = nil    // the lifecycle owns the drain deadline
            options.maxDeliveries = settings.maxTasksPerChild
            let running = Receiver(broker: system.broker, options: options)
            receiver = running
            logger.info("worker ready; listening with max_async_tasks=\(settings.maxAsyncTasks)")
            loop = { try await running.run() }
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
        let status = try await lifecycle.run()
        if status == 0, let receiver, let limit = settings.maxTasksPerChild, receiver.statistics.received >= limit {
            logger.info("recycling after \(limit) tasks")
            return Self.recycleExitStatus
        }
        return status
    }
}
