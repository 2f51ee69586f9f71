import Synchronization
import Taskiq

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Runs `workers` copies of a worker process, restarts those that die and shuts them down
/// on SIGINT/SIGTERM.
///
/// ```swift
/// let supervisor = Supervisor(
///     executable: Supervisor.currentExecutable, arguments: ["worker", "-c", path],
///     options: SupervisorOptions(workers: 4, recycleExitStatus: 0))
/// exit(try await supervisor.run())
/// ```
/// A Swift trap kills the whole process, so worker processes are the crash-safety net: a
/// worker that exits or is killed is logged with its index, pid and reason, then restarted
/// after a capped, jittered exponential backoff (see ``SupervisorBackoff``), or at once if
/// it exited with ``SupervisorOptions/recycleExitStatus``. Each worker gets
/// `TASKIQ_WORKER_INDEX` in its environment and inherits standard output and error.
///
/// The first SIGINT or SIGTERM (or ``stop()``) is forwarded to every worker; workers still
/// running after ``SupervisorOptions/shutdownTimeout`` are killed with `SIGKILL`. A second
/// signal kills them all at once. ``run()`` returns the status to exit with: 0 once every
/// worker exited by itself, 1 if some had to be killed at the deadline, `128 + signal` after
/// a second signal.
public final class Supervisor: Sendable {
    /// The worker executable's path (not searched in `PATH`).
    public let executable: String
    /// The arguments passed to each worker, without `argv[0]`.
    public let arguments: [String]
    /// How workers are run.
    public let options: SupervisorOptions

    enum Event: Sendable {
        case exited(ChildProcess, ChildExitStatus)
        case signal(Int32)
        case restartDue(Int)
        case deadlinePassed
    }

    private let signals: SignalListener
    private let logger: Logger
    private let events: AsyncStream<Event>
    private let sink: AsyncStream<Event>.Continuation
    private let started = Atomic(false)

    /// Creates a supervisor; nothing runs until ``run()``.
    /// - Parameters:
    ///   - executable: The worker executable's path, such as ``currentExecutable``.
    ///   - arguments: The arguments passed to each worker, without `argv[0]`.
    ///   - options: Worker count, backoff, recycling and shutdown deadline.
    ///   - signals: The signals that request a shutdown; SIGINT and SIGTERM by default. Tests
    ///     pass their own sequence. It must end its iteration when the task is cancelled.
    ///   - logger: Where restarts and shutdown steps are logged.
    public init(
        executable: String, arguments: [String], options: SupervisorOptions,
        signals: some AsyncSequence<Int32, Never> & Sendable = SignalSequence([ProcessSignal.interrupt, ProcessSignal.terminate]),
        logger: Logger = Logger(label: "taskiq.supervisor")
    ) {
        self.executable = executable
        self.arguments = arguments
        self.options = options
        self.signals = signalListener(signals)
        self.logger = logger
        (events, sink) = AsyncStream.makeStream()
    }

    /// The path of the running executable, for a supervisor that spawns copies of itself.
    public static var currentExecutable: String {
        #if os(Linux)
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return path
        }
        #endif
        #if canImport(FoundationEssentials)
        return CommandLine.arguments[0]
        #else
        return Bundle.main.executablePath ?? CommandLine.arguments[0]
        #endif
    }

    /// Requests a shutdown as if SIGTERM had been received; a second call forces it.
    public func stop() {
        sink.yield(.signal(ProcessSignal.terminate))
    }

    /// Starts the workers and supervises them until a shutdown completes.
    ///
    /// Call it once. It returns only after every worker was reaped, except after a second
    /// signal, when it returns right after sending `SIGKILL`. Cancelling the calling task
    /// kills every worker with `SIGKILL` and throws `CancellationError`.
    /// - Returns: The status the supervisor process should exit with.
    /// - Throws: ``SupervisorError`` if the options are invalid, the supervisor was already
    ///   run, or a worker could not be spawned at start (workers already started are killed).
    public func run() async throws -> Int32 {
        guard options.workers >= 1 else {
            throw SupervisorError(
                code: .invalidOptions, executable: executable,
                message: "workers must be at least 1, found \(options.workers)")
        }
        guard !started.exchange(true, ordering: .relaxed) else {
            throw SupervisorError(
                code: .invalidOptions, executable: executable, message: "a supervisor runs only once")
        }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            defer { group.cancelAll() }
            let (subscribed, subscribedSink) = AsyncStream<Void>.makeStream()
            group.addTask { [signals, sink] in
                await signals({ subscribedSink.finish() }, { sink.yield(.signal($0)) })
            }
            for await _ in subscribed {}
            return try await supervise(&group)
        }
    }

    private func supervise(_ group: inout ThrowingTaskGroup<Void, any Error>) async throws -> Int32 {
        let environment = ProcessInfo.processInfo.environment.merging(options.environment) { $1 }
        var policy = SupervisorPolicy(options: options)
        var children: [Int: ChildProcess] = [:]
        let sink = sink

        func spawn(_ index: Int) throws(SupervisorError) {
            let child = try ChildProcess.spawn(
                index: index, executable: executable, arguments: arguments, environment: environment,
                onExit: { child, status in sink.yield(.exited(child, status)) })
            children[index] = child
            policy.childStarted(index, at: .now)
            logger.debug("started worker \(index) (pid \(child.pid))", metadata: metadata(child))
        }

        func carryOut(_ decision: SupervisorPolicy.ExitDecision, for index: Int) -> Int32? {
            switch decision {
            case .restart(let delay) where delay == .zero:
                sink.yield(.restartDue(index))
            case .restart(let delay):
                group.addTask {
                    try await Task.sleep(for: delay)
                    sink.yield(.restartDue(index))
                }
            case .stayDown:
                break
            case .finish(let status):
                return status
            }
            return nil
        }

        for index in 0..<options.workers {
            do {
                try spawn(index)
            } catch {
                logger.error("\(error.message); stopping the workers already started")
                for child in children.values { child.signal(ProcessSignal.kill) }
                await reap(children.count)
                throw error
            }
        }
        logger.info("started \(options.workers) worker processes")

        for await event in events {
            switch event {
            case .exited(let child, let status):
                guard children[child.index] === child else { continue }
                children[child.index] = nil
                let decision = policy.childExited(
                    child.index, status: status, at: .now, jitterUnit: .random(in: 0...1))
                log(child, status, decision)
                if let status = carryOut(decision, for: child.index) { return status }

            case .restartDue(let index):
                guard policy.shouldStart(index) else { continue }
                do {
                    try spawn(index)
                } catch {
                    let decision = policy.spawnFailed(index, jitterUnit: .random(in: 0...1))
                    logger.error("\(error.message); retrying after \(decision)")
                    if let status = carryOut(decision, for: index) { return status }
                }

            case .signal(let signal):
                switch policy.shutdownRequested(signal: signal) {
                case .forward(let signal, let deadline):
                    logger.notice(
                        "received \(signalName(signal)); forwarding it to \(children.count) workers and waiting up to \(formatSeconds(deadline))"
                    )
                    for child in children.values { child.signal(signal) }
                    group.addTask {
                        try await Task.sleep(for: deadline)
                        sink.yield(.deadlinePassed)
                    }
                case .killAll(let status):
                    logger.warning("received \(signalName(signal)) again; killing \(children.count) workers")
                    for child in children.values { child.signal(ProcessSignal.kill) }
                    return status
                case .finish(let status):
                    logger.notice("received \(signalName(signal)); no worker is running")
                    return status
                }

            case .deadlinePassed:
                if policy.deadlinePassed() {
                    logger.warning(
                        "\(children.count) workers still running after \(formatSeconds(options.shutdownTimeout)); killing them")
                    for child in children.values { child.signal(ProcessSignal.kill) }
                }
            }
        }
        // The stream ends only when the calling task is cancelled: leave no worker behind.
        for child in children.values { child.signal(ProcessSignal.kill) }
        throw CancellationError()
    }

    /// Waits for `count` exits, for the workers killed after a failed start.
    private func reap(_ count: Int) async {
        guard count > 0 else { return }
        var remaining = count
        for await event in events {
            if case .exited = event { remaining -= 1 }
            if remaining == 0 { return }
        }
    }

    private func log(_ child: ChildProcess, _ status: ChildExitStatus, _ decision: SupervisorPolicy.ExitDecision) {
        let what = "worker \(child.index) (pid \(child.pid)) \(status)"
        var metadata = metadata(child)
        switch status {
        case .exited(let code): metadata["exit_status"] = String(code)
        case .signaled(let signal): metadata["signal"] = signalName(signal)
        case .unknown: break
        }
        switch decision {
        case .restart(let delay) where delay == .zero:
            logger.info("\(what); restarting it now", metadata: metadata)
        case .restart(let delay):
            logger.warning("\(what); restarting it in \(formatSeconds(delay))", metadata: metadata)
        case .stayDown, .finish:
            logger.info("\(what) during shutdown", metadata: metadata)
        }
    }

    private func metadata(_ child: ChildProcess) -> [String: String] {
        ["worker": String(child.index), "pid": String(child.pid)]
    }
}
