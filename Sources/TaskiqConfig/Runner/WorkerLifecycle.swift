import Taskiq

/// Runs one worker process's receive loop and shuts it down in order on SIGINT/SIGTERM.
///
/// ```swift
/// let receiver = Receiver(broker: broker, options: receiverOptions)
/// let lifecycle = WorkerLifecycle(
///     waitTasksTimeout: .seconds(10), shutdownTimeout: .seconds(5),
///     run: { try await receiver.run() },
///     stopIntake: { receiver.stop() },
///     shutdown: { receiver.shutdown(); try await broker.shutdown() })
/// exit(try await lifecycle.run())
/// ```
/// The first SIGINT or SIGTERM stops intake, then lets the loop drain its running tasks for
/// up to `waitTasksTimeout` (forever when `nil`) before cancelling it. Once the loop has
/// ended — drained, cancelled, or on its own because the broker closed or the worker
/// recycled itself — `shutdown` closes the transports. The cancelled loop's unwinding and
/// `shutdown` each get `shutdownTimeout`; past it the worker gives up and exits with 1.
///
/// A second signal calls `forceExit(128 + signal)`, which by default is `_exit`: the
/// process ends at once, without running `atexit` handlers or draining anything, which is
/// what someone pressing Ctrl-C twice wants. Tasks that were running are redelivered or lost
/// as the broker's acknowledgement mode decides.
public struct WorkerLifecycle: Sendable {
    /// How long running tasks may drain after intake stops; `nil` waits for all of them.
    public let waitTasksTimeout: Duration?
    /// How long the cancelled loop may take to unwind, and then `shutdown` to finish.
    public let shutdownTimeout: Duration

    private let body: @Sendable () async throws -> Void
    private let stopIntake: @Sendable () -> Void
    private let shutdown: @Sendable () async throws -> Void
    private let signals: SignalListener
    private let forceExit: @Sendable (Int32) -> Void
    private let logger: Logger
    private let role: Role

    /// What the process is, for its log lines: a worker drains running tasks, a scheduler the
    /// sends it has started.
    public struct Role: Sendable {
        /// The process's name in log lines: `worker stopped`.
        public var name: String
        /// What it waits for after intake stops: `waiting 30.00s for running tasks`.
        public var inFlight: String

        /// A worker process: `worker stopped`, `waiting … for running tasks`.
        public static let worker = Role(name: "worker", inFlight: "running tasks")
        /// A scheduler process: `scheduler stopped`, `waiting … for sends in flight`.
        public static let scheduler = Role(name: "scheduler", inFlight: "sends in flight")
    }

    /// Creates a lifecycle; nothing runs until ``run()``.
    /// - Parameters:
    ///   - waitTasksTimeout: How long running tasks may drain after intake stops; `nil`
    ///     waits for all of them. The loop is then cancelled.
    ///   - shutdownTimeout: How long the cancelled loop may take to unwind, and then how long
    ///     `shutdown` may take.
    ///   - signals: The signals that request a shutdown; SIGINT and SIGTERM by default. Tests
    ///     pass their own sequence. It must end its iteration when the task is cancelled.
    ///   - logger: Where the shutdown steps are logged.
    ///   - role: What the process is called in those log lines; ``Role/worker`` by default.
    ///   - forceExit: Called with `128 + signal` on a second signal; `_exit` by default. If it
    ///     returns (as a test's does), the loop is cancelled and ``run()`` returns that status
    ///     without waiting for anything.
    ///   - run: The receive loop. It should return once intake has stopped and its running
    ///     tasks are done, and end promptly when cancelled.
    ///   - stopIntake: Stops taking new deliveries, such as ``/Taskiq/Receiver/stop()``.
    ///   - shutdown: Closes the transports once the loop has ended, such as the broker's
    ///     `shutdown()`.
    public init(
        waitTasksTimeout: Duration? = nil,
        shutdownTimeout: Duration = .seconds(5),
        signals: some AsyncSequence<Int32, Never> & Sendable = SignalSequence([ProcessSignal.interrupt, ProcessSignal.terminate]),
        logger: Logger = Logger(label: "taskiq.worker"),
        role: Role = .worker,
        forceExit: @escaping @Sendable (Int32) -> Void = { ProcessSignal.exitImmediately($0) },
        run: @escaping @Sendable () async throws -> Void,
        stopIntake: @escaping @Sendable () -> Void,
        shutdown: @escaping @Sendable () async throws -> Void
    ) {
        self.waitTasksTimeout = waitTasksTimeout
        self.shutdownTimeout = shutdownTimeout
        self.signals = signalListener(signals)
        self.logger = logger
        self.role = role
        self.forceExit = forceExit
        self.body = run
        self.stopIntake = stopIntake
        self.shutdown = shutdown
    }

    private enum Event: Sendable {
        case signal(Int32)
        case loopEnded((any Error)?)
        case drainDeadline
        case shutdownEnded((any Error)?)
        case shutdownDeadline(Phase)
    }

    private enum Phase: Sendable, Equatable {
        /// The loop takes deliveries.
        case running
        /// Intake stopped; running tasks drain until the loop returns or the drain deadline.
        case draining
        /// The loop was cancelled; waiting for it to unwind.
        case cancelling
        /// The loop ended; `shutdown` runs.
        case shuttingDown
    }

    /// Runs the loop until it ends or a signal stops it, then shuts down.
    ///
    /// Signals are subscribed to before the loop starts, so none is missed.
    /// - Returns: The status the worker process should exit with: 0 after a clean stop or
    ///   when the loop ended on its own, 1 if `shutdown` failed or a step overran
    ///   `shutdownTimeout`, `128 + signal` after a second signal when `forceExit` returns.
    /// - Throws: The loop's own error, after `shutdown` ran. Cancellation after the drain
    ///   deadline is not an error.
    public func run() async throws -> Int32 {
        let (events, sink) = AsyncStream<Event>.makeStream()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            defer { group.cancelAll() }
            let (subscribed, subscribedSink) = AsyncStream<Void>.makeStream()
            group.addTask { [signals] in
                await signals({ subscribedSink.finish() }, { sink.yield(.signal($0)) })
            }
            for await _ in subscribed {}

            func after(_ delay: Duration, send event: Event) {
                group.addTask {
                    try await Task.sleep(for: delay)
                    sink.yield(event)
                }
            }

            // The loop and `shutdown` are unstructured so that a worker can give up on them
            // at a deadline and exit; on every other path they are awaited through `events`.
            let loop = Task { [body] in
                do {
                    try await body()
                    sink.yield(.loopEnded(nil))
                } catch {
                    sink.yield(.loopEnded(error))
                }
            }
            var closing: Task<Void, Never>?
            defer {
                loop.cancel()
                closing?.cancel()
            }
            var phase = Phase.running
            var signalsReceived = 0
            var loopError: (any Error)?

            for await event in events {
                switch event {
                case .signal(let signal):
                    signalsReceived += 1
                    if signalsReceived > 1 {
                        logger.warning("received \(signalName(signal)) again; exiting at once")
                        forceExit(128 + signal)
                        return 128 + signal
                    }
                    guard phase == .running else {
                        logger.notice("received \(signalName(signal)) while shutting down; send it again to exit at once")
                        continue
                    }
                    let wait = waitTasksTimeout.map { "up to \(formatSeconds($0))" } ?? "without a time limit"
                    logger.notice("received \(signalName(signal)); stopping intake and waiting \(wait) for \(role.inFlight)")
                    phase = .draining
                    stopIntake()
                    if let waitTasksTimeout { after(waitTasksTimeout, send: .drainDeadline) }

                case .drainDeadline:
                    guard phase == .draining else { continue }
                    logger.warning("\(role.inFlight) still going after \(formatSeconds(waitTasksTimeout ?? .zero)); cancelling them")
                    phase = .cancelling
                    loop.cancel()
                    after(shutdownTimeout, send: .shutdownDeadline(.cancelling))

                case .loopEnded(let error):
                    if let error, !(phase == .cancelling && error is CancellationError) {
                        loopError = error
                        logger.error("the \(role.name) loop failed: \(error)")
                    } else if phase == .running {
                        logger.info("the \(role.name) loop ended")
                    }
                    phase = .shuttingDown
                    closing = Task { [shutdown] in
                        do {
                            try await shutdown()
                            sink.yield(.shutdownEnded(nil))
                        } catch {
                            sink.yield(.shutdownEnded(error))
                        }
                    }
                    after(shutdownTimeout, send: .shutdownDeadline(.shuttingDown))

                case .shutdownEnded(let error):
                    if let loopError { throw loopError }
                    if let error {
                        logger.error("shutdown failed: \(error)")
                        return 1
                    }
                    logger.info("\(role.name) stopped")
                    return 0

                case .shutdownDeadline(let step):
                    guard phase == step else { continue }
                    let what = step == .cancelling ? "cancelled tasks did not finish" : "shutdown did not finish"
                    logger.error("\(what) within \(formatSeconds(shutdownTimeout)); exiting")
                    return 1
                }
            }
            throw CancellationError()  // Only cancellation of the calling task ends `events`.
        }
    }
}
