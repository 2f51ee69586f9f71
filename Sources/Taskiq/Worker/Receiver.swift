import Synchronization

/// Takes deliveries from a broker and runs them: decode, find the task, middlewares, execute,
/// store the result, acknowledge.
///
/// At most ``ReceiverOptions/maxAsyncTasks`` tasks run at once, with
/// ``ReceiverOptions/maxPrefetch`` more deliveries taken ahead. Undecodable messages and unknown
/// task names are logged with the reason, counted and acknowledged; nothing a peer sends stops
/// the receiver.
public final class Receiver: Sendable {
    /// The broker deliveries come from, and whose components (registry, middlewares, backend) are used.
    public let broker: any AsyncBroker
    /// The options.
    public let options: ReceiverOptions

    let pool: SyncTaskPool
    let counters = ReceiverCounters()
    let baseLogger: Logger
    let captureFormat: LogFormat?
    private let intake = Mutex<Task<Void, Never>?>(nil)
    private let stopRequested = Atomic<Bool>(false)

    /// Creates a receiver.
    public convenience init(broker: any AsyncBroker, options: ReceiverOptions = ReceiverOptions()) {
        self.init(broker: broker, options: options, logger: Logger(label: "taskiq.receiver"))
    }

    /// Creates a receiver that logs through `logger` (tests read what it wrote).
    init(broker: any AsyncBroker, options: ReceiverOptions, logger: Logger) {
        self.broker = broker
        self.options = options
        self.pool = SyncTaskPool(size: max(1, options.syncTasksPoolSize))
        self.baseLogger = logger
        self.captureFormat = options.logsFormat.map { LogFormat($0) }
    }

    /// What the receiver has done so far.
    public var statistics: ReceiverStatistics { counters.snapshot }

    /// Listens to the broker and runs deliveries until the broker's stream ends or ``stop()`` is
    /// called; then waits for running tasks (up to ``ReceiverOptions/waitTasksTimeout``), cancels
    /// what is left and returns. Cancelling the calling task cancels running tasks at once.
    public func run() async throws {
        let deliveries = try await broker.listen()
        let (queue, feed) = AsyncStream<AckableMessage>.makeStream()
        let unlimited = options.maxAsyncTasks <= 0
        let prefetch = AsyncSemaphore(permits: unlimited ? Int.max / 2 : options.maxAsyncTasks + max(0, options.maxPrefetch))
        let running = AsyncSemaphore(permits: unlimited ? Int.max / 2 : options.maxAsyncTasks)
        let inFlight = InFlightCounter()
        let failure = MutexBox<(any Error)?>(nil)
        let maxDeliveries = options.maxDeliveries ?? Int.max
        let logger = baseLogger

        let intakeTask = Task {
            defer { feed.finish() }
            var iterator = deliveries.makeAsyncIterator()
            var taken = 0
            do {
                while !Task.isCancelled {
                    if taken >= maxDeliveries {
                        logger.info("took \(taken) deliveries (max_tasks_per_child); stopping intake")
                        break
                    }
                    taken += 1
                    await prefetch.acquire()
                    guard !Task.isCancelled, let delivery = try await iterator.next() else {
                        prefetch.release()
                        break
                    }
                    feed.yield(delivery)
                }
            } catch is CancellationError {
            } catch {
                failure.value = error
            }
        }
        intake.withLock { $0 = intakeTask }
        if stopRequested.load(ordering: .relaxed) { intakeTask.cancel() }

        await withTaskCancellationHandler {
            await withDiscardingTaskGroup { group in
                for await delivery in queue {
                    counters.received.increment()
                    inFlight.increment()
                    group.addTask {
                        await running.acquire()
                        await self.handle(delivery)
                        running.release()
                        prefetch.release()
                        inFlight.decrement()
                    }
                }
                if let timeout = options.waitTasksTimeout, inFlight.count > 0 {
                    baseLogger.info("waiting up to \(timeout) for \(inFlight.count) running tasks")
                    if await !inFlight.waitUntilIdle(timeout: timeout) {
                        baseLogger.warning("\(inFlight.count) tasks still running after wait_tasks_timeout; cancelling them")
                        group.cancelAll()
                    }
                }
            }
        } onCancel: {
            intakeTask.cancel()
        }
        intake.withLock { $0 = nil }
        if let error = failure.value { throw error }
    }

    /// Stops taking deliveries; ``run()`` then drains running tasks and returns.
    public func stop() {
        stopRequested.store(true, ordering: .relaxed)
        intake.withLock { $0?.cancel() }
    }

    /// Stops the sync pool once running tasks are done.
    public func shutdown() {
        Task { [pool] in await pool.shutdown() }
    }
}
