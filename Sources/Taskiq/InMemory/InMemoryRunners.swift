import Synchronization

/// The runners of an ``InMemoryBroker``: a kicked task waits in a buffer as its message bytes,
/// not as a suspended task, and at most ``limit`` runner tasks drain the buffer.
///
/// A job pushed while a runner is idle resumes that runner directly; otherwise it is buffered,
/// and a runner is started if fewer than ``limit`` run. A runner that finishes a job takes the
/// next without suspending. The pool grows past ``limit`` only while every runner is waiting
/// for another task's result (``SubtaskWait``) and jobs are queued: such a pool could otherwise
/// never run the subtask its runners wait for. A runner beyond ``limit`` retires as soon as it
/// finds the buffer empty.
///
/// A delayed job waits in a heap ordered by due time, and one timer moves due jobs to the
/// buffer, so a delayed backlog (a burst of retries) costs memory per message too.
///
/// The runners and the timer are children of one ``ServiceGroup``; ``shutdown()`` ends them.
final class InMemoryRunners: Sendable {
    /// One kicked task: its delivery, the task it names, and the receiver that runs it.
    struct Job: Sendable {
        let delivery: AckableMessage
        let task: AnyTask
        let receiver: Receiver
    }

    /// A job waiting for its time; ordered by due time, then by push order.
    private struct Delayed: Comparable {
        let due: ContinuousClock.Instant
        let sequence: UInt64
        let job: Job

        static func < (lhs: Delayed, rhs: Delayed) -> Bool {
            (lhs.due, lhs.sequence) < (rhs.due, rhs.sequence)
        }

        static func == (lhs: Delayed, rhs: Delayed) -> Bool { lhs.sequence == rhs.sequence }
    }

    private struct State {
        var buffer = FIFOBuffer<Job>()
        var delayed = MinHeap<Delayed>()
        var sequence: UInt64 = 0
        /// Bumped whenever a job becomes the earliest delayed one: the timer then re-reads.
        var earliestVersion: UInt64 = 0
        /// The timer, waiting for an earlier job than the one it sleeps towards.
        var timer: UnsafeContinuation<Void, Never>?
        var timerStarted = false
        /// Idle runners; the most recent is resumed first (its stack is likeliest to be warm).
        var idle: [UnsafeContinuation<Job?, Never>] = []
        var limit: Int
        var runners = 0
        /// Runners whose task is waiting for another task's result.
        var blocked = 0
        var finished = false

        /// Whether one more runner should start for a job just queued (and counts it if so):
        /// below the limit, or when every runner waits for a subtask.
        mutating func claimRunner() -> Bool {
            guard !finished, runners < limit || blocked >= runners else { return false }
            runners += 1
            return true
        }

        /// Whether one more runner should start because the last free one began waiting for a
        /// subtask while jobs are queued (and counts it if so).
        mutating func claimExtraRunner() -> Bool {
            guard !finished, blocked >= runners, !buffer.isEmpty else { return false }
            runners += 1
            return true
        }
    }

    private let state: Mutex<State>
    private let services = ServiceGroup()
    /// Jobs pushed and not yet finished, delayed ones included.
    private let pending = InFlightCounter()

    /// - Parameter limit: The most runners while none waits for a subtask; `0` or less for no limit.
    init(limit: Int) {
        state = Mutex(State(limit: limit > 0 ? limit : Int.max))
    }

    /// The most runners while none waits for a subtask.
    var limit: Int {
        get { state.withLock { $0.limit } }
        set { state.withLock { $0.limit = newValue > 0 ? newValue : Int.max } }
    }

    /// Runner tasks alive now (idle ones included).
    var runnerCount: Int { state.withLock { $0.runners } }

    /// Queues a job to run now, or after `delay`.
    /// - Returns: `false` after ``shutdown()``; the job was not taken.
    func push(_ job: Job, after delay: Duration? = nil) -> Bool {
        guard !state.withLock({ $0.finished }) else { return false }
        pending.increment()
        guard let delay else {
            enqueue(job)
            return true
        }
        let due = ContinuousClock.now.advanced(by: delay)
        let (wake, startTimer) = state.withLock { state -> (UnsafeContinuation<Void, Never>?, Bool) in
            state.sequence += 1
            let earliest = state.delayed.min.map { due < $0.due } ?? true
            state.delayed.insert(Delayed(due: due, sequence: state.sequence, job: job))
            let startTimer = !state.timerStarted
            state.timerStarted = true
            guard earliest else { return (nil, startTimer) }
            state.earliestVersion += 1
            defer { state.timer = nil }
            return (state.timer, startTimer)
        }
        wake?.resume()
        if startTimer { services.start { await self.moveDueJobs() } }
        return true
    }

    /// Waits until every job pushed so far has finished.
    func waitUntilIdle() async {
        await pending.waitUntilIdle()
    }

    /// Ends the runners once the buffer is empty and waits for them. Jobs pushed later are refused.
    func shutdown() async {
        let idle = state.withLock { state -> [UnsafeContinuation<Job?, Never>] in
            state.finished = true
            defer { state.idle = [] }
            return state.idle
        }
        for runner in idle { runner.resume(returning: nil) }
        await services.shutdown()
    }

    private func enqueue(_ job: Job) {
        enum Action {
            case resume(UnsafeContinuation<Job?, Never>)
            case start, none
        }
        let action = state.withLock { state -> Action in
            if let runner = state.idle.popLast() { return .resume(runner) }
            state.buffer.append(job)
            return state.claimRunner() ? .start : .none
        }
        switch action {
        case .resume(let runner): runner.resume(returning: job)
        case .start: startRunner()
        case .none: break
        }
    }

    private func startRunner() {
        services.start { await self.runJobs() }
    }

    /// One runner: takes jobs until told to retire.
    private func runJobs() async {
        let observer = RunnerWaitObserver(blocked: { self.runnerBlocked() }, unblocked: { self.runnerUnblocked() })
        // Bound once for the runner's life, not per job: every job it runs reports to it.
        await SubtaskWait.$observer.withValue(observer) {
            while let job = await next() {
                if let decoded = await job.receiver.decode(job.delivery, knownTask: job.task) {
                    let limiter = job.receiver.broker.components.rateLimiter
                    let wait = await job.receiver.rateLimitWait(for: decoded.message, limiter: limiter)
                    // Rate-limited: back to the delayed heap, off this runner, to ask again then.
                    if wait > .zero, push(job, after: wait) {
                        pending.decrement()
                        continue
                    }
                    await job.receiver.handle(decoded)
                }
                pending.decrement()
            }
        }
    }

    /// The next job; `nil` when this runner should retire: the pool is shut down, or it is
    /// beyond the limit (or one of too many idle ones in an unlimited pool) and nothing is queued.
    private func next() async -> Job? {
        enum Fast {
            case job(Job)
            case retire, wait
        }
        let fast = state.withLock { state -> Fast in
            if let job = state.buffer.popFirst() { return .job(job) }
            if state.finished || state.runners > state.limit || state.idle.count >= Self.maxIdle {
                state.runners -= 1
                return .retire
            }
            return .wait
        }
        switch fast {
        case .job(let job): return job
        case .retire: return nil
        case .wait: break
        }
        return await withUnsafeContinuation { continuation in
            let ready = state.withLock { state -> Fast in
                if let job = state.buffer.popFirst() { return .job(job) }
                if state.finished {
                    state.runners -= 1
                    return .retire
                }
                state.idle.append(continuation)
                return .wait
            }
            switch ready {
            case .job(let job): continuation.resume(returning: job)
            case .retire: continuation.resume(returning: nil)
            case .wait: break
            }
        }
    }

    /// The timer: moves delayed jobs to the buffer as they fall due, until cancelled.
    private func moveDueJobs() async {
        while !Task.isCancelled {
            let now = ContinuousClock.now
            let (due, next, version) = state.withLock { state -> ([Job], ContinuousClock.Instant?, UInt64) in
                var due: [Job] = []
                while let first = state.delayed.min, first.due <= now { due.append(state.delayed.popMin()!.job) }
                return (due, state.delayed.min?.due, state.earliestVersion)
            }
            for job in due { enqueue(job) }
            await withTaskGroup(of: Void.self) { group in
                if let next { group.addTask { try? await Task.sleep(until: next, clock: .continuous) } }
                group.addTask { await self.waitForEarlierJob(than: version) }
                await group.next()
                group.cancelAll()
            }
        }
    }

    /// Returns once a job earlier than every one the timer saw at `version` was pushed, or the
    /// calling task is cancelled.
    private func waitForEarlierJob(than version: UInt64) async {
        await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.earliestVersion != version || Task.isCancelled { return true }
                    state.timer = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let timer = state.withLock { state -> UnsafeContinuation<Void, Never>? in
                defer { state.timer = nil }
                return state.timer
            }
            timer?.resume()
        }
    }

    /// The most idle runners kept; only an unlimited pool reaches it.
    private static let maxIdle = 256

    private func runnerBlocked() {
        let start = state.withLock { state -> Bool in
            state.blocked += 1
            return state.claimExtraRunner()
        }
        if start { startRunner() }
    }

    private func runnerUnblocked() {
        state.withLock { $0.blocked -= 1 }
    }
}
