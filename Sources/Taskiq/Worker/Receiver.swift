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
    /// Ends the running intake (see ``stop()``).
    private let intake = Mutex<OnceContinuation<Void>?>(nil)
    /// Set by ``stop()``: no task starts after it.
    let stopRequested = Atomic<Bool>(false)

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

    /// Deliveries being run now and those taken ahead that wait for a runner, for metrics.
    package var load: (running: Int, queued: Int) {
        let running = counters.executing.load(ordering: .relaxed)
        return (running, max(0, counters.held.load(ordering: .relaxed) - running))
    }

    /// Listens to the broker and runs deliveries until the broker's stream ends or ``stop()`` is
    /// called; then waits for running tasks (up to ``ReceiverOptions/waitTasksTimeout``), cancels
    /// what is left and returns. Cancelling the calling task cancels running tasks at once.
    ///
    /// The broker's worker startup hooks (``BrokerComponents/lifecycle``) run first, unless
    /// already started; its shutdown hooks run once the last task has finished.
    /// - Throws: ``TaskiqError`` with code `startup_failed` when a startup hook fails (nothing
    ///   is taken from the broker then), or what listening to the broker throws.
    public func run() async throws {
        let lifecycle = broker.components.lifecycle
        try await lifecycle.start(broker: broker, logger: baseLogger)
        do {
            try await consume()
        } catch {
            await lifecycle.stop(broker: broker, logger: baseLogger)
            throw error
        }
        await lifecycle.stop(broker: broker, logger: baseLogger)
    }

    private func consume() async throws {
        let deliveries = try await broker.listen()
        // The intake (its own task, so that stop() can end a pending receive without cancelling
        // running tasks) passes deliveries through `queue` to runner tasks in the group below.
        // With a limit, at most `maxAsyncTasks` runners each loop over the queue: a delivery goes
        // to an idle runner in one hand-over, and a busy runner takes the next without suspending.
        let limit = options.maxAsyncTasks > 0 ? options.maxAsyncTasks : nil
        let queue = DeliveryQueue(limit: limit ?? Int.max)
        let prefetch = AsyncSemaphore(permits: limit.map { $0 + max(0, options.maxPrefetch) } ?? Int.max / 2)
        let inFlight = InFlightCounter()
        let failure = MutexBox<(any Error)?>(nil)
        let maxDeliveries = options.maxDeliveries ?? Int.max
        let logger = baseLogger
        let counters = self.counters
        // Rate-limited deliveries told to wait, off the runners (see ParkedDeliveries).
        let parked = ParkedDeliveries(lendLimit: limit.map { $0 + max(0, options.maxPrefetch) } ?? Int.max / 2)
        let limiter = broker.components.rateLimiter
        let reachedMaxDeliveries = MutexBox(false)

        // Ends the intake without cancelling running tasks: fired by stop(), or by the intake
        // itself when the broker's stream ends.
        let intakeStop = OnceContinuation<Void>()
        let intakeEnded = OnceContinuation<Void>()
        intake.withLock { $0 = intakeStop }
        if stopRequested.load(ordering: .relaxed) { intakeStop.resume(with: .success(())) }

        /// Takes deliveries into `queue` until the stream ends, `maxDeliveries` is reached, or
        /// the calling task is cancelled.
        @Sendable func takeDeliveries() async {
            // The queue ends once nothing is parked either: a parked delivery comes back to it.
            defer { parked.whenDrained(afterIntakeEnds: { queue.finish() }) }
            var iterator = deliveries.makeAsyncIterator()
            var taken = 0
            do {
                while !Task.isCancelled {
                    if taken >= maxDeliveries {
                        reachedMaxDeliveries.value = true
                        logger.info("took \(taken) deliveries (max_tasks_per_child); stopping intake")
                        break
                    }
                    taken += 1
                    // Cancellable: stop() must end the intake even while every permit is held
                    // by a task that does not finish (wait_tasks_timeout then applies).
                    guard await prefetch.acquire() else { break }
                    guard !Task.isCancelled, let delivery = try await iterator.next() else {
                        prefetch.release()
                        break
                    }
                    counters.received.increment()
                    counters.held.increment()
                    inFlight.increment()
                    queue.push(delivery)
                }
            } catch is CancellationError {
            } catch {
                failure.value = error
            }
        }

        /// Gives a delivery that can be delivered again back to the broker unstarted, after stop().
        @Sendable func handBack(_ delivery: AckableMessage) async {
            counters.handedBack.increment()
            await (delivery.handBack ?? delivery.release)?()
        }

        /// Runs one queued delivery; once the run is cancelled, or stop() was called and the
        /// broker can deliver it again, hands it back unstarted instead, still returning its
        /// permit so the intake can end. After stop() a delivery the broker cannot deliver again
        /// (at-most-once brokers) still runs: handing it back would lose it.
        @Sendable func run(_ delivery: AckableMessage) async {
            let stopping = self.stopRequested.load(ordering: .relaxed)
            if !Task.isCancelled && !(stopping && delivery.release != nil) {
                guard let decoded = await self.decode(delivery, knownTask: nil) else {
                    finished()
                    return
                }
                let wait = await self.rateLimitWait(for: decoded.message, limiter: limiter)
                if wait > .zero, !Task.isCancelled {
                    // Parked: the runner is free for other work, and, within the lend limit,
                    // so is the delivery's prefetch permit.
                    switch parked.park(delivery, for: wait) {
                    case true?: prefetch.release()
                    case false?: break
                    case nil:
                        // Parking closed (the intake ended for good): back to the broker
                        // where it can take it; otherwise it runs now rather than be lost.
                        if delivery.release != nil {
                            await handBack(delivery)
                            finished()
                            return
                        }
                        counters.executing.increment()
                        await self.handle(decoded)
                        counters.executing.decrement()
                        finished()
                    }
                    return
                }
                counters.executing.increment()
                await self.handle(decoded)
                counters.executing.decrement()
            } else if stopping, delivery.release != nil {
                await handBack(delivery)
            } else if let release = delivery.release {
                await release()
            } else {
                logger.warning(
                    "dropping a delivery taken ahead: the worker was cancelled before it started, and this broker cannot deliver it again")
            }
            finished()
        }

        /// Returns a finished delivery's permit and accounting.
        @Sendable func finished() {
            prefetch.release()
            counters.held.decrement()
            inFlight.decrement()
        }

        /// Brings a parked delivery back to the runners; it takes back the permit it lent.
        @Sendable func unpark(_ entry: ParkedDeliveries.Entry) {
            if entry.lentPermit { prefetch.forfeit() }
            queue.push(entry.delivery)
        }

        await withDiscardingTaskGroup { group in
            // The timer of parked deliveries; cancelled with the group, it hands every one on.
            group.addTask { await parked.run(push: unpark) }
            // The intake, in a group of its own that stop() cancels (through `intakeStop`)
            // while the runners below go on.
            group.addTask {
                await withDiscardingTaskGroup { intake in
                    intake.addTask {
                        await takeDeliveries()
                        intakeStop.resume(with: .success(()))
                    }
                    try? await intakeStop.value
                    intake.cancelAll()
                }
                // Stopped, or recycled (max_tasks_per_child): parked deliveries go back, not
                // waiting out their limit (the queue, and so the runners, end only once none is
                // parked), and parking closes. Those the broker cannot deliver again run now:
                // at-most-once, the limit gives way rather than lose them. Here, in a task that
                // is not cancelled.
                if self.stopRequested.load(ordering: .relaxed) || reachedMaxDeliveries.value {
                    let waiting = parked.takeAll()
                    if !waiting.isEmpty {
                        logger.info("handing back \(waiting.count) deliveries waiting for a rate limit: the worker's intake ended")
                    }
                    for entry in waiting {
                        if entry.delivery.release != nil {
                            if entry.lentPermit { prefetch.forfeit() }
                            await handBack(entry.delivery)
                            finished()
                        } else {
                            unpark(entry)
                        }
                    }
                    parked.handedOn(waiting.count)
                }
                intakeEnded.resume(with: .success(()))
            }
            if limit != nil {
                // At most `limit` runners, and one more whenever every runner's task waits for
                // another task (its subtask may be queued behind it, or not yet taken: then the
                // intake is lent a permit for it, and takes it back when the wait ends).
                let runner: @Sendable () async -> Void = {
                    let lent = MutexBox(0)
                    let observer = RunnerWaitObserver(
                        blocked: {
                            guard queue.runnerBlocked() else { return }
                            lent.withLock { $0 += 1 }
                            prefetch.release()
                        },
                        unblocked: {
                            queue.runnerUnblocked()
                            let repay = lent.withLock { count -> Bool in
                                defer { count = max(0, count - 1) }
                                return count > 0
                            }
                            if repay { prefetch.forfeit() }
                        })
                    await SubtaskWait.$observer.withValue(observer) {
                        while let delivery = await queue.next() { await run(delivery) }
                    }
                }
                while await queue.needsRunner() {
                    group.addTask(operation: runner)
                }
            } else {
                while let delivery = await queue.next() {
                    group.addTask { await run(delivery) }
                }
            }
            // The queue ends only with the intake; wait for it when every runner is started.
            try? await intakeEnded.value
            // Stopped: no task starts. Deliveries taken ahead and still buffered go back at
            // once, side by side (a runner that took one meanwhile hands it back in run(_:)),
            // and so does what the broker read ahead: not after the drain. Here, not in the
            // intake: the intake is cancelled, and a hand-back (a broker round trip) must not be.
            if stopRequested.load(ordering: .relaxed) {
                let redeliverable = queue.takeRedeliverable()
                if !redeliverable.isEmpty {
                    logger.info("handing back \(redeliverable.count) deliveries taken ahead: the worker is stopping")
                }
                for delivery in redeliverable {
                    group.addTask {
                        await handBack(delivery)
                        finished()
                    }
                }
                await broker.stopListening()
            }
            if let timeout = options.waitTasksTimeout, inFlight.count > 0 {
                baseLogger.info("waiting up to \(timeout) for \(inFlight.count) running tasks")
                if await !inFlight.waitUntilIdle(timeout: timeout) {
                    baseLogger.warning("\(inFlight.count) tasks still running after wait_tasks_timeout; cancelling them")
                    group.cancelAll()
                }
            }
        }
        intake.withLock { $0 = nil }
        if let error = failure.value { throw error }
    }

    /// Stops taking deliveries; ``run()`` then drains running tasks and returns. No task starts
    /// after this: deliveries taken ahead (``ReceiverOptions/maxPrefetch``, or buffered while
    /// every runner was busy) are handed back unstarted where the broker can deliver them again
    /// (``AckableMessage/release``); at-most-once brokers' still run, since handing them back
    /// would lose them.
    public func stop() {
        stopRequested.store(true, ordering: .relaxed)
        intake.withLock { $0 }?.resume(with: .success(()))
    }

    /// Stops the sync pool: it takes no more jobs, and its threads exit once the jobs queued
    /// and running are done. Does not wait for them.
    public func shutdown() {
        pool.stopIntake()
    }
}
