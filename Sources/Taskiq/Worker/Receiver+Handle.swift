extension Receiver {
    /// Runs one delivery through the whole pipeline. Never throws: every failure becomes a log
    /// line, a counter and, where a task was found, an error result.
    public func handle(_ delivery: AckableMessage) async {
        await handle(delivery, knownTask: nil)
    }

    /// ``handle(_:)``, skipping the registry lookup when the caller already found the task
    /// (the in-memory broker checks it on kick).
    func handle(_ delivery: AckableMessage, knownTask: AnyTask?) async {
        guard let decoded = await decode(delivery, knownTask: knownTask) else { return }
        await handle(decoded)
    }

    /// A delivery parsed and its task found: what ``handle(_:)`` runs.
    struct DecodedDelivery: Sendable {
        let delivery: AckableMessage
        let message: TaskiqMessage
        let task: AnyTask
        let settings: BrokerComponents.Settings
        let acknowledge: Acknowledger
    }

    /// Parses a delivery and finds its task; an undecodable message or an unknown task is
    /// logged, counted and rejected, and `nil` returned.
    func decode(_ delivery: AckableMessage, knownTask: AnyTask?) async -> DecodedDelivery? {
        let acknowledge = delivery.ack == nil ? Acknowledger.none : Acknowledger(delivery.ack)
        let components = broker.components
        let settings = components.settings
        let message: TaskiqMessage
        do {
            message = try settings.formatter.loads(delivery.data, limits: options.limits)
        } catch {
            counters.undecodable.increment()
            if let violation = error as? MessageLimitError {
                let count = counters.rejected(violation.limit)
                baseLogger.warning(
                    "rejecting message (\(delivery.data.count) bytes): \(violation); skipping execution",
                    metadata: [
                        "limit": violation.limit.name, "observed": String(violation.observed),
                        "rejected": String(count),
                    ])
            } else {
                baseLogger.warning("cannot parse message (\(delivery.data.count) bytes): \(error); skipping execution")
            }
            await reject(
                DeadLetter(reason: .undecodable, message: "cannot parse message: \(error)", data: delivery.data),
                delivery: delivery, settings: settings, acknowledge: acknowledge)
            return nil
        }
        guard let task = knownTask?.name == message.taskName ? knownTask : components.registry[message.taskName] else {
            counters.unknownTask.increment()
            baseLogger.warning(
                "task \"\(message.taskName)\" (\(message.taskID)) is not registered; skipping execution. Registered tasks: \(components.registry.all.map(\.name).joined(separator: ", "))"
            )
            await reject(
                DeadLetter(
                    reason: .unknownTask, message: "task \"\(message.taskName)\" is not registered",
                    data: delivery.data, taskName: message.taskName, taskID: message.taskID),
                delivery: delivery, settings: settings, acknowledge: acknowledge)
            return nil
        }
        return DecodedDelivery(delivery: delivery, message: message, task: task, settings: settings, acknowledge: acknowledge)
    }

    /// Runs a decoded delivery: middlewares, execute, store the result, acknowledge.
    func handle(_ decoded: DecodedDelivery) async {
        let delivery = decoded.delivery
        let message = decoded.message
        let task = decoded.task
        let settings = decoded.settings
        let acknowledge = decoded.acknowledge
        let capture = captureFormat.map { LogCapture(format: $0) }
        // Only middlewares record retry decisions: without any, none is needed (and none allocated).
        let decisions =
            settings.deadLetterQueue != nil && settings.deadLetterPolicy != .never && !settings.middlewares.isEmpty
            ? RetryDecisionBox() : nil
        let context = TaskContext(
            message: message, broker: broker, logger: baseLogger, capture: capture,
            acknowledger: acknowledge, retryDecisions: decisions)
        await TaskContext.$current.withValue(context) {
            await process(
                message, task: task, settings: settings, context: context, acknowledge: acknowledge,
                delivery: delivery)
        }
    }

    private func process(
        _ received: TaskiqMessage, task: AnyTask, settings: BrokerComponents.Settings,
        context: TaskContext, acknowledge: Acknowledger, delivery: AckableMessage
    ) async {
        var logger: Logger { context.workerLogger }
        let middlewares = settings.middlewares
        var message = received
        var preExecuteError: TaskError?
        do {
            for middleware in middlewares { message = try await middleware.preExecute(message) }
        } catch {
            logger.error("preExecute failed: \(error)")
            preExecuteError = TaskError(error)
        }

        var ackType = options.ackType
        let labels = message.labels
        if !labels.isEmpty, let label = labels["ack_type"] {
            if let text = label.stringValue, let parsed = AckType(label: text) {
                ackType = parsed
            } else {
                logger.warning(
                    "invalid ack_type label \(label.excerpt()); expected one of \(AckType.allCases.map(\.rawValue).joined(separator: ", ")); using \(ackType.rawValue)"
                )
            }
        }
        if ackType == .whenReceived { await ack(acknowledge) }

        // The task's logger carries two metadata entries: build it only when debug lines are written.
        let debugging = baseLogger.logLevel <= .debug
        if debugging { logger.debug("task started") }
        let start = ContinuousClock.now
        var result: TaskiqResult<JSONValue>
        var failure: TaskError? = preExecuteError
        // A body still running after its timeout or cancel resolved the outcome: the result is
        // stored at once, but this delivery's slot stays taken until the body really returns.
        var straggler: ExecutionOutcome?
        if failure == nil {
            do {
                let timeout = labels.isEmpty ? nil : try Self.timeout(from: labels["timeout"])
                let invocation = try task.prepare(message, options.castTypes)
                let value = try await execute(invocation, timeout: timeout, taskID: message.taskID, straggler: &straggler)
                result = TaskiqResult(isErr: false, returnValue: value, executionTime: 0, labels: message.labels)
            } catch is CancellationError where Task.isCancelled {
                // The worker itself is being cancelled (the drain deadline passed): the task was
                // interrupted, not failed. Where the broker can deliver it again, leave it to
                // another worker: no retry, no dead letter, no result, no ack.
                if ackType != .whenReceived, let release = delivery.release {
                    counters.interrupted.increment()
                    logger.notice("task interrupted by shutdown; leaving it unacknowledged so the broker can deliver it again")
                    await release()
                    return
                }
                // Otherwise report it as cancelled (its waiter gets an answer), never retried or dead-lettered.
                failure = .cancelled
                result = TaskiqResult(isErr: true, returnValue: .null, executionTime: 0, labels: message.labels, error: failure)
            } catch {
                failure = TaskError(error)
                result = TaskiqResult(isErr: true, returnValue: .null, executionTime: 0, labels: message.labels, error: failure)
            }
        } else {
            result = TaskiqResult(isErr: true, returnValue: .null, executionTime: 0, labels: message.labels, error: failure)
        }
        result.executionTime = (ContinuousClock.now - start).inSeconds

        if debugging { logger.debug("task \(failure == nil ? "succeeded" : "failed") in \(result.executionTime)s") }
        if let failure {
            counters.failed.increment()
            if failure.isCancelled {
                logger.notice(Task.isCancelled ? "task interrupted by shutdown" : "task cancelled by request")
            } else if !failure.isNoResult {
                logger.error("task failed: \(failure)")
            }
            for middleware in middlewares.reversed() {
                do {
                    try await middleware.onError(message, result: &result, error: failure)
                } catch {
                    logger.error("onError of \(type(of: middleware)) failed: \(error)")
                }
            }
        } else {
            counters.succeeded.increment()
        }
        if let capture = context.capture { result.log = capture.text }
        // A failure that will not be retried is stored as a dead letter before the ack; if that
        // fails, the delivery stays unacknowledged (and, below, storing is tried again).
        var keepDelivery = false
        let canRedeliver = ackType != .whenReceived && delivery.release != nil
        if let failure, let queue = settings.deadLetterQueue {
            keepDelivery =
                await deadLetterFailure(
                    failure, message: message, data: delivery.data, queue: queue,
                    policy: settings.deadLetterPolicy, context: context,
                    canRedeliver: canRedeliver) == false
        }

        if ackType == .whenExecuted && !keepDelivery { await ack(acknowledge) }
        for middleware in middlewares.reversed() {
            do {
                try await middleware.postExecute(message, result: result)
            } catch {
                logger.error("postExecute of \(type(of: middleware)) failed: \(error)")
            }
        }

        if result.error?.isNoResult != true {
            do {
                try await settings.resultBackend.setResult(result, for: message.taskID)
                for middleware in middlewares.reversed() {
                    do {
                        try await middleware.postSave(message, result: result)
                    } catch {
                        logger.error("postSave of \(type(of: middleware)) failed: \(error)")
                    }
                }
            } catch {
                counters.saveFailures.increment()
                logger.error("cannot store the result: \(error)")
            }
        }
        if ackType == .whenSaved && !keepDelivery { await ack(acknowledge) }
        if keepDelivery, canRedeliver, let failure, let queue = settings.deadLetterQueue {
            // The body ran and its outcome is stored: handing the delivery back would run it
            // again. Keep it (unacknowledged, held by this worker) and try storing the letter
            // again until it is stored or the worker stops; this delivery keeps its slot meanwhile.
            var wait = Duration.milliseconds(100)
            while keepDelivery, !stopRequested.load(ordering: .relaxed), !Task.isCancelled {
                do { try await Task.sleep(for: wait) } catch { break }
                wait = min(wait * 2, .seconds(2))
                keepDelivery =
                    await deadLetterFailure(
                        failure, message: message, data: delivery.data, queue: queue,
                        policy: settings.deadLetterPolicy, context: context,
                        canRedeliver: true) == false
            }
            if !keepDelivery {
                await ack(acknowledge)
            } else {
                logger.warning(
                    "the worker is stopping before the dead letter could be stored; handing the delivery back, so its task may run again")
            }
        }
        if keepDelivery { await delivery.release?() }
        if let straggler {
            // Holding the runner holds the slot: max_async_tasks counts this body until it returns.
            // Only the worker's own cancellation (the drain deadline) stops the wait. A body that
            // stops on cancellation returns at once; one still running a second later ignores it.
            let what = failure == .timeout ? "timed out" : "was cancelled"
            let taskID = message.taskID
            await withTaskGroup(of: Bool.self) { group in
                // Warns once if the body is still running a second from now.
                group.addTask { [logger] in
                    do { try await Task.sleep(for: .seconds(1)) } catch { return false }
                    guard straggler.isBodyRunning else { return false }
                    logger.warning(
                        "task \(taskID) \(what) but its body is still running (it does not stop on cancellation); its slot stays taken until it returns"
                    )
                    return true
                }
                do {
                    try await withTaskCancellationHandler {
                        try await straggler.bodyReturned
                    } onCancel: {
                        straggler.stopWaiting()
                    }
                    group.cancelAll()
                    if await group.next() == true { logger.notice("the body of task \(taskID), which \(what), returned; its slot is free") }
                } catch {
                    group.cancelAll()
                    logger.warning("the worker is stopping while the body of task \(taskID), which \(what), is still running")
                }
            }
        }
    }

    func ack(_ acknowledge: Acknowledger) async {
        if let error = await acknowledge() {
            counters.ackFailures.increment()
            baseLogger.error("acknowledgement failed: \(error)")
        }
    }

    /// The `timeout` label (seconds, a number or a numeric string) as a duration; `nil` when
    /// absent or `null`. Anything else that is not a positive number of seconds up to
    /// ``Swift/Duration/maximumCheckedSeconds`` throws ``DurationRangeError``: the task is not
    /// run and gets that error as its result (a value such as `1e21` used to trap the worker).
    static func timeout(from label: JSONValue?) throws(DurationRangeError) -> Duration? {
        guard let label, label != .null else { return nil }
        return try Duration.checkedSeconds(label, of: "timeout label", positive: true)
    }

    /// Runs the invocation, on the sync pool when synchronous, under the timeout when given,
    /// registered under its task ID so that ``AsyncBroker/cancelTask(id:)`` can cancel it.
    ///
    /// At the deadline the result is a `TimeoutError` at once, and on a cancel request a
    /// ``TaskError/cancelled`` error: an async task is cancelled (cooperatively); a synchronous
    /// one cannot be interrupted and finishes on its thread, its outcome discarded. A task whose
    /// cancellation was requested before it started does not run.
    ///
    /// A body that does not stop at the deadline or on the cancel request (a synchronous one, or
    /// an async one that never checks cancellation) is still running when this returns: then
    /// `straggler` is set to what completes when it does return, so that the caller keeps its
    /// slot until then (and says so, if the body is still running once the result is stored).
    private func execute(
        _ invocation: TaskInvocation, timeout: Duration?, taskID: String,
        straggler: inout ExecutionOutcome?
    ) async throws -> JSONValue {
        let cancellations = broker.components.cancellations
        if cancellations.isRequested(taskID) { throw TaskError.cancelled }
        let pool = self.pool
        let operation: @Sendable () async throws -> JSONValue
        switch invocation {
        case .async(let body): operation = body
        case .sync(let body): operation = { try await pool.run(body) }
        }
        let outcome = ExecutionOutcome()
        // Starts on this thread without a scheduling hop; a task that never suspends is done here.
        // Unstructured because the result must be decided at the deadline or on a cancel request
        // while a body that ignores cancellation goes on; the caller still joins it through
        // `straggler` (its slot stays taken until the body returns).
        let work = Task.immediate {
            do { outcome.bodyDidReturn(.success(try await operation())) } catch { outcome.bodyDidReturn(.failure(error)) }
        }
        let cancel: @Sendable () -> Void = {
            outcome.resolve(with: .failure(TaskError.cancelled))
            work.cancel()
        }
        let token = cancellations.begin(taskID, onCancel: cancel)
        if token == nil { cancel() }
        defer { if let token { cancellations.end(token) } }
        @Sendable func awaitOutcome() async throws -> JSONValue {
            try await withTaskCancellationHandler {
                try await outcome.value
            } onCancel: {
                work.cancel()
                outcome.resolve(with: .failure(CancellationError()))
            }
        }
        do {
            guard let timeout else { return try await awaitOutcome() }
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try? await Task.sleep(for: timeout)
                    if !Task.isCancelled {
                        outcome.resolve(with: .failure(TaskError.timeout))
                        work.cancel()
                    }
                }
                defer { group.cancelAll() }
                return try await awaitOutcome()
            }
        } catch {
            if !Task.isCancelled, outcome.isBodyRunning { straggler = outcome }
            throw error
        }
    }
}
