import Dispatch
import Synchronization

/// A fixed set of named OS threads that run synchronous task bodies off Swift's
/// cooperative thread pool.
///
/// A synchronous task (blocking I/O, CPU-bound work, a C library call) would starve the
/// cooperative pool, which has only as many threads as cores. The worker sends such bodies
/// here instead (`sync_tasks_pool_size` threads, named `taskiq-sync-1` ... `taskiq-sync-N`)
/// and awaits their result:
/// ```swift
/// let pool = SyncTaskPool(size: 4)
/// let digest = try await pool.run { try hashFile(at: path) }
/// await pool.shutdown()
/// ```
/// The threads start with the first job, so a pool that is never used (the embedded worker of
/// an in-memory broker whose tasks are all async) holds no threads. Jobs start in submission
/// order. Cancelling the awaiting task does not interrupt a job:
/// a body that has been submitted runs to completion on its thread, and `run` returns
/// (or throws) only when it has. Callers that need a bound must make the body check a
/// deadline itself.
package final class SyncTaskPool: Sendable {
    /// The number of threads.
    package let size: Int
    private let queue: JobQueue

    /// Creates the pool; its `size` threads start when the first job is submitted.
    /// - Parameters:
    ///   - size: The number of threads; values below 1 are treated as 1.
    ///   - namePrefix: Threads are named `<namePrefix>-1` ... `<namePrefix>-<size>`.
    ///     Linux keeps the first 15 bytes of a thread name.
    package init(size: Int, namePrefix: String = "taskiq-sync") {
        self.size = max(1, size)
        self.queue = JobQueue(threads: self.size, namePrefix: namePrefix)
    }

    deinit {
        queue.stopIntake()
    }

    /// The threads running now: 0 before the first job and after shutdown, else ``size``
    /// (momentarily fewer while they exit).
    package var liveThreads: Int { queue.liveThreads }

    /// Starts the pool's threads, each running the queue's loop; returns how many could not be
    /// created.
    fileprivate static func startThreads(_ count: Int, namePrefix: String, queue: JobQueue) -> Int {
        var failed = 0
        for index in 1...count {
            do {
                try PlatformThread.start(name: "\(namePrefix)-\(index)") { queue.work() }
            } catch {
                failed += 1
            }
        }
        return failed
    }

    /// Runs `body` on one of the pool's threads and returns its result.
    ///
    /// Cancellation of the calling task is not propagated into `body`; see the type's
    /// discussion.
    /// - Parameter body: The synchronous work. Its error is rethrown to the caller.
    /// - Returns: What `body` returned.
    /// - Throws: What `body` threw, or ``SyncTaskPoolError`` with code `.shutDown` if the
    ///   pool no longer accepts jobs.
    package func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let accepted = queue.enqueue {
                continuation.resume(with: Result(catching: body))
            }
            if !accepted {
                continuation.resume(throwing: SyncTaskPoolError.shutDown(threads: size))
            }
        }
    }

    /// Stops accepting jobs, lets every queued job finish, and returns once all threads
    /// have exited. Safe to call more than once and concurrently.
    package func shutdown() async {
        await withCheckedContinuation { continuation in
            queue.stopIntake(whenStopped: continuation)
        }
    }

    /// Stops accepting jobs without waiting for the queued ones.
    func stopIntake() {
        queue.stopIntake()
    }

    /// Submits a job without waiting for it; `false` after shutdown.
    func enqueue(_ job: @escaping @Sendable () -> Void) -> Bool {
        queue.enqueue(job)
    }
}

/// The FIFO shared by the pool's threads: a `Mutex`-guarded queue and a counting semaphore
/// with one permit per queued job, plus one per thread once intake stops. The threads are
/// started by the first `enqueue`.
private final class JobQueue: Sendable {
    typealias Job = @Sendable () -> Void

    private struct State {
        var jobs = FIFOBuffer<Job>()
        var accepting = true
        var started = false
        var liveThreads = 0
        var stopWaiters: [CheckedContinuation<Void, Never>] = []

        mutating func popFirst() -> Job? { jobs.popFirst() }
    }

    private let state = Mutex(State())
    private let permits = DispatchSemaphore(value: 0)
    private let threads: Int
    private let namePrefix: String

    init(threads: Int, namePrefix: String) {
        self.threads = threads
        self.namePrefix = namePrefix
    }

    var liveThreads: Int { state.withLock { $0.liveThreads } }

    func enqueue(_ job: @escaping Job) -> Bool {
        enum Outcome { case refused, queued, start }
        let outcome = state.withLock { state -> Outcome in
            guard state.accepting else { return .refused }
            state.jobs.append(job)
            if state.started { return .queued }
            state.started = true
            state.liveThreads = threads
            return .start
        }
        if outcome == .refused { return false }
        // The permit may be signalled before the threads exist; the first to start takes it.
        permits.signal()
        if outcome == .start {
            let failed = SyncTaskPool.startThreads(threads, namePrefix: namePrefix, queue: self)
            if failed > 0 { threadsFailedToStart(failed) }
        }
        return true
    }

    /// Forgets threads the system refused to create; when none runs, the next job tries again
    /// (the queued jobs wait for it).
    private func threadsFailedToStart(_ count: Int) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.liveThreads -= count
            guard state.liveThreads == 0 else { return [] }
            state.started = false
            defer { state.stopWaiters = [] }
            return state.stopWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func stopIntake(whenStopped waiter: CheckedContinuation<Void, Never>? = nil) {
        enum Outcome { case first, again, alreadyStopped }
        let outcome = state.withLock { state -> Outcome in
            // Never started (or all threads gone): nothing to wait for.
            if state.liveThreads == 0 {
                state.accepting = false
                return .alreadyStopped
            }
            if let waiter { state.stopWaiters.append(waiter) }
            guard state.accepting else { return .again }
            state.accepting = false
            return .first
        }
        switch outcome {
        case .first:
            // One extra permit per thread: each thread takes its exit permit only after the
            // queue is empty, because queued jobs were signalled first.
            for _ in 0..<threads { permits.signal() }
        case .again:
            break
        case .alreadyStopped:
            waiter?.resume()
        }
    }

    /// A thread's loop: take a permit, run the next job, or exit once intake has stopped
    /// and the queue is empty.
    func work() {
        while true {
            permits.wait()
            enum Next {
                case run(Job)
                case exit([CheckedContinuation<Void, Never>])
            }
            let next = state.withLock { state -> Next in
                if let job = state.popFirst() { return .run(job) }
                state.liveThreads -= 1
                guard state.liveThreads == 0 else { return .exit([]) }
                defer { state.stopWaiters = [] }
                return .exit(state.stopWaiters)
            }
            switch next {
            case .run(let job):
                job()
            case .exit(let waiters):
                for waiter in waiters { waiter.resume() }
                return
            }
        }
    }
}
