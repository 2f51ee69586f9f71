import Synchronization
import Taskiq

/// Wakes result waiters when a Swift worker announces a stored result on a pub/sub channel.
///
/// One subscriber connection per backend, opened when the first waiter registers and kept
/// until ``close()``: it sends `SUBSCRIBE <channel>` once and routes each RESP3 push
/// `message <channel> <task_id>` to the waiters registered for that task ID. When the
/// connection drops (a server restart) it reconnects with the client's backoff and subscribes
/// again; every (re)subscription wakes every waiter, so a result announced while nobody was
/// subscribed is found by the re-check that follows. Waiters never depend on it alone: they
/// also poll (see ``RedisResultBackend``), which covers results written by Python workers
/// (which do not publish), a server speaking only RESP2 (no push frames), and
/// notifications dropped when more than 1024 arrive faster than they are read.
final class RedisResultNotifier: Sendable {
    /// A registered interest in one task's result: a level-triggered wake-up.
    final class Waiter: Sendable {
        let taskID: String
        let id: UInt64
        private let state = Mutex<(notified: Bool, continuation: CheckedContinuation<Void, Never>?)>((false, nil))

        init(taskID: String, id: UInt64) {
            self.taskID = taskID
            self.id = id
        }

        /// Wakes the current wait, or the next one if none is in progress.
        func notify() {
            let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard let continuation = state.continuation else {
                    state.notified = true
                    return nil
                }
                state.continuation = nil
                return continuation
            }
            continuation?.resume()
        }

        /// Waits up to `duration` for a wake-up; `true` when woken rather than timed out.
        func wait(upTo duration: Duration) async -> Bool {
            let pending = state.withLock { state -> Bool in
                defer { state.notified = false }
                return state.notified
            }
            if pending { return true }
            return await withTaskGroup(of: Bool.self) { group in
                group.addTask { await self.waitForNotification(); return !Task.isCancelled }
                group.addTask { try? await Task.sleep(for: duration); return false }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
        }

        private func waitForNotification() async {
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLock { state -> Bool in
                        if state.notified || Task.isCancelled {
                            state.notified = false
                            return true
                        }
                        state.continuation = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            } onCancel: {
                let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
                    defer { state.continuation = nil }
                    return state.continuation
                }
                continuation?.resume()
            }
        }
    }

    private struct State: Sendable {
        var waiters: [String: [UInt64: Waiter]] = [:]
        var nextID: UInt64 = 0
        var started = false
        var connection: RedisConnection?
        var closed = false
    }

    /// The channel results are announced on.
    let channel: String
    private let configuration: RedisConfiguration
    private let logger: Logger
    private let onSubscribe: (@Sendable () -> Void)?
    private let state = Mutex(State())
    /// Runs the subscriber, from the first registration until ``shutdown()``.
    private let services = ServiceGroup()

    /// - Parameters:
    ///   - channel: The pub/sub channel.
    ///   - configuration: The server; the subscriber connection is made with it.
    ///   - logger: Receives connection problems.
    ///   - onSubscribe: Called after each confirmed `SUBSCRIBE` (tests observe reconnects with it).
    init(channel: String, configuration: RedisConfiguration, logger: Logger, onSubscribe: (@Sendable () -> Void)? = nil) {
        self.channel = channel
        self.configuration = configuration
        self.logger = logger
        self.onSubscribe = onSubscribe
    }

    deinit {
        close()
    }

    /// Registers interest in a task's result, starting the subscriber if it is not running.
    /// - Returns: `nil` after ``close()``.
    func register(_ taskID: String) -> Waiter? {
        state.withLock { state -> Waiter? in
            guard !state.closed else { return nil }
            state.nextID += 1
            let waiter = Waiter(taskID: taskID, id: state.nextID)
            state.waiters[taskID, default: [:]][waiter.id] = waiter
            if !state.started {
                state.started = true
                services.start { await self.run() }
            }
            return waiter
        }
    }

    /// Removes a waiter registered with ``register(_:)``.
    func unregister(_ waiter: Waiter) {
        state.withLock { state in
            state.waiters[waiter.taskID]?[waiter.id] = nil
            if state.waiters[waiter.taskID]?.isEmpty == true { state.waiters[waiter.taskID] = nil }
        }
    }

    /// Stops the subscriber and wakes every waiter (each then finds the backend closed).
    func close() {
        let (connection, waiters) = state.withLock { state in
            state.closed = true
            defer { state.connection = nil; state.waiters = [:] }
            return (state.connection, state.waiters.values.flatMap(\.values))
        }
        services.cancel()
        connection?.close()
        for waiter in waiters { waiter.notify() }
    }

    /// ``close()``, then waits until the subscriber has returned.
    func shutdown() async {
        close()
        await services.shutdown()
    }

    /// Keeps one subscribed connection until closed, reconnecting with backoff.
    private func run() async {
        var failures = 0
        var warned = false
        while !Task.isCancelled {
            do {
                let connection = try await RedisConnection.connect(configuration, logger: logger)
                guard connection.protocolVersion == 3 else {
                    connection.close()
                    logger.notice("Redis at \(configuration.address) speaks only RESP2, so result waiters are not notified; they poll every 50 ms at most")
                    return
                }
                let open = state.withLock { state -> Bool in
                    if !state.closed { state.connection = connection }
                    return !state.closed
                }
                guard open else {
                    connection.close()
                    return
                }
                try connection.sendWithoutReply(["SUBSCRIBE", channel])
                for await push in connection.pushes {
                    if handle(push) {
                        if warned { logger.info("Result notifications from \(configuration.address) resumed") }
                        failures = 0
                        warned = false
                    }
                }
                connection.close()
                state.withLock { state in
                    if state.connection === connection { state.connection = nil }
                }
            } catch {
                if !warned, !Task.isCancelled {
                    logger.warning("Result notifications from Redis stopped (waiters keep polling): \(error)")
                    warned = true
                }
            }
            failures += 1
            do {
                try await Task.sleep(for: configuration.reconnect.delay(afterFailures: failures))
            } catch {
                return
            }
        }
    }

    /// Routes one push frame; `true` when it confirmed the subscription.
    private func handle(_ push: [RESPValue]) -> Bool {
        guard push.count >= 3, let kind = push[0].string, push[1].string == channel else { return false }
        switch kind {
        case "message":
            guard let taskID = push[2].string else { return false }
            let waiters = state.withLock { $0.waiters[taskID].map { Array($0.values) } ?? [] }
            for waiter in waiters { waiter.notify() }
            return false
        case "subscribe":
            // Anything announced before this point may have been missed: every waiter re-checks.
            let waiters = state.withLock { $0.waiters.values.flatMap(\.values) }
            for waiter in waiters { waiter.notify() }
            onSubscribe?()
            return true
        default:
            return false
        }
    }
}
