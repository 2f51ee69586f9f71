/// The supervisor's decisions, apart from processes and clocks: which worker to restart and
/// when, and how a shutdown proceeds.
///
/// ``Supervisor`` feeds it what happened (a worker started, exited, could not be spawned, a
/// shutdown was requested, the shutdown deadline passed) and carries out what it answers.
/// Times are passed in and randomness comes in as a `jitterUnit`, so tables of cases can be
/// tested without processes.
struct SupervisorPolicy: Sendable {
    /// Where the supervisor is in its life.
    enum Phase: Sendable, Equatable {
        /// Keeping workers up.
        case running
        /// A shutdown signal was forwarded; waiting for workers to exit until the deadline.
        case draining
        /// The deadline passed and the rest were killed; waiting for them to be reaped.
        case killing
        /// Done; ``SupervisorPolicy/finish(_:)`` was answered.
        case stopped
    }

    /// What to do after a worker exited or could not be spawned.
    enum ExitDecision: Sendable, Equatable {
        /// Spawn the worker again after this delay (`.zero`: at once).
        case restart(after: Duration)
        /// Leave it down; other workers are still shutting down.
        case stayDown
        /// Every worker is down after a shutdown: return this exit status.
        case finish(Int32)
    }

    /// What to do when a shutdown is requested.
    enum ShutdownAction: Sendable, Equatable {
        /// Send this signal to every running worker and wait up to the deadline.
        case forward(Int32, deadline: Duration)
        /// Kill every running worker with `SIGKILL` and return this exit status at once.
        case killAll(exitStatus: Int32)
        /// No worker is running: return this exit status.
        case finish(Int32)
    }

    private enum Slot: Sendable, Equatable {
        case running(since: ContinuousClock.Instant)
        case down
    }

    let options: SupervisorOptions
    private(set) var phase = Phase.running
    private var slots: [Slot]
    private(set) var failures: [Int]

    /// Creates a policy with every worker down, waiting for its first start.
    init(options: SupervisorOptions) {
        self.options = options
        let count = max(1, options.workers)
        slots = Array(repeating: .down, count: count)
        failures = Array(repeating: 0, count: count)
    }

    /// Workers currently running.
    var runningCount: Int {
        slots.count(where: { if case .running = $0 { true } else { false } })
    }

    /// Whether worker `index` should be spawned now (its restart delay has passed).
    func shouldStart(_ index: Int) -> Bool {
        phase == .running && slots[index] == .down
    }

    /// Records that worker `index` was spawned at `now`.
    mutating func childStarted(_ index: Int, at now: ContinuousClock.Instant) {
        slots[index] = .running(since: now)
    }

    /// Decides what follows a failed spawn of worker `index`: it counts as a failure.
    mutating func spawnFailed(_ index: Int, jitterUnit: Double) -> ExitDecision {
        slots[index] = .down
        guard phase == .running else { return afterShutdownExit() }
        failures[index] += 1
        return .restart(after: options.backoff.delay(afterFailures: failures[index], jitterUnit: jitterUnit))
    }

    /// Decides what follows the exit of worker `index`.
    /// - Parameters:
    ///   - index: The worker's index.
    ///   - status: How it ended.
    ///   - now: When its exit was observed.
    ///   - jitterUnit: A number in `0...1` that picks the jittered delay.
    mutating func childExited(
        _ index: Int, status: ChildExitStatus, at now: ContinuousClock.Instant, jitterUnit: Double
    ) -> ExitDecision {
        let uptime: Duration? = if case .running(let since) = slots[index] { now - since } else { nil }
        slots[index] = .down
        guard phase == .running else { return afterShutdownExit() }
        if let uptime, uptime >= options.backoff.resetAfter {
            failures[index] = 0
        }
        if let recycle = options.recycleExitStatus, status == .exited(recycle) {
            failures[index] = 0
            return .restart(after: .zero)
        }
        failures[index] += 1
        return .restart(after: options.backoff.delay(afterFailures: failures[index], jitterUnit: jitterUnit))
    }

    /// Decides what a shutdown request does: the first forwards `signal` and starts the
    /// deadline, a second one kills every worker at once and exits with `128 + signal`.
    mutating func shutdownRequested(signal: Int32) -> ShutdownAction {
        switch phase {
        case .running:
            if runningCount == 0 {
                phase = .stopped
                return .finish(0)
            }
            phase = .draining
            return .forward(signal, deadline: options.shutdownTimeout)
        case .draining, .killing, .stopped:
            phase = .stopped
            return .killAll(exitStatus: 128 + signal)
        }
    }

    /// Records that the shutdown deadline passed; returns whether running workers must be
    /// killed with `SIGKILL` (the supervisor then exits with status 1 once they are reaped).
    mutating func deadlinePassed() -> Bool {
        guard phase == .draining, runningCount > 0 else { return false }
        phase = .killing
        return true
    }

    private mutating func afterShutdownExit() -> ExitDecision {
        guard runningCount == 0 else { return .stayDown }
        let status: Int32 = phase == .killing ? 1 : 0
        guard phase != .stopped else { return .stayDown }
        phase = .stopped
        return .finish(status)
    }
}
