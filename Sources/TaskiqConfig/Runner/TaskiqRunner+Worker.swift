#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Taskiq

extension TaskiqRunner {
    /// `worker`: runs one worker until SIGINT or SIGTERM, then drains and exits 0.
    ///
    /// `workers > 1` is carried in the settings for the supervisor; this runs one process.
    func worker(_ system: TaskiqSystem) async throws -> Int32 {
        let logger = Logger(label: "taskiq.worker")
        let signals = TerminationSignals()
        let settings = system.workerSettings
        try await system.startup()
        let tasks = system.tasks.map(\.name)
        logger.info("loaded \(tasks.count) tasks from \(system.modules.map(\.name).joined(separator: ", ")): \(tasks.joined(separator: ", "))")
        if settings.workers > 1 {
            logger.notice("worker.workers is \(settings.workers), but this build runs a single worker process")
        }
        if system.isProcessLocal {
            logger.info("""
                worker ready; the '\(system.configuration.broker.type.name)' broker runs tasks in the process that \
                kicks them, so there is nothing to listen to; waiting for SIGINT or SIGTERM
                """)
            for await number in signals.stream {
                logger.info("received \(TerminationSignals.name(number)); shutting down")
                break
            }
        } else {
            let receiver = Receiver(broker: system.broker, options: system.receiverOptions)
            logger.info("worker ready; listening with max_async_tasks=\(settings.maxAsyncTasks)")
            let (stopped, stop) = AsyncStream<Void>.makeStream()
            // Three children: the receiver; a signal watcher (first signal stops intake, a second
            // exits at once); a deadline that starts at the first signal. Whichever of the
            // receiver and the deadline ends first ends the group, cancelling the rest.
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await receiver.run() }
                group.addTask {
                    var received = 0
                    for await number in signals.stream {
                        received += 1
                        if received == 1 {
                            logger.info("received \(TerminationSignals.name(number)); draining for up to \(settings.shutdownTimeout)")
                            receiver.stop()
                            stop.yield()
                        } else {
                            logger.warning("received \(TerminationSignals.name(number)) again; exiting now")
                            exit(1)
                        }
                    }
                    try await Task.sleep(for: .seconds(86_400 * 365))
                }
                group.addTask {
                    for await _ in stopped {
                        try await Task.sleep(for: settings.shutdownTimeout)
                        logger.warning("shutdown_timeout passed; cancelling running tasks")
                        return
                    }
                    try await Task.sleep(for: .seconds(86_400 * 365))
                }
                try await group.next()
                group.cancelAll()
            }
            receiver.shutdown()
        }
        try await system.shutdown()
        logger.info("stopped")
        return 0
    }
}
