import Dispatch
import Synchronization
import Taskiq

/// Wakes result waiters when a Swift worker announces a stored result on a pub/sub channel.
///
/// One subscriber connection per backend, opened when the first waiter registers and kept
/// until ``close()``: it sends `SUBSCRIBE <channel>` once and routes each RESP3 push
/// `message <channel> <task_id>` to the waiters registered for that task ID; a result of at most
/// ``inlineLimit`` bytes comes in the same message (`<task_id>\0<result JSON>`), so a waiter needs
/// no second read. When the
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
        private struct State: Sendable {
            var notified = false
            /// The result the announcement carried, until ``takeResult()``.
            var result: [UInt8]?
            var continuation: UnsafeContinuation<Bool, Never>?
            /// Numbers the waits, so that a timer left from an earlier wait cannot end a later one.
            var wait: UInt64 = 0
        }
        private let state = Mutex(State())

        init(taskID: String, id: UInt64) {
            self.taskID = taskID
            self.id = id
        }

        /// Wakes the current wait, or the next one if none is in progress, keeping the result
        /// the announcement carried, if any.
        func notify(result: [UInt8]? = nil) {
            let continuation = state.withLock { state -> UnsafeContinuation<Bool, Never>? in
                if let result { state.result = result }
                guard let continuation = state.continuation else {
                    state.notified = true
                    return nil
                }
                state.continuation = nil
                return continuation
            }
            continuation?.resume(returning: true)
        }

        /// The result an announcement carried, once; `nil` when none did.
        func takeResult() -> [UInt8]? {
            state.withLock { state in
                defer { state.result = nil }
                return state.result
            }
        }

        /// Waits up to `duration` for a wake-up; `true` when woken rather than timed out or cancelled.
        ///
        /// One continuation and one Dispatch timer per wait, no child tasks: under load most
        /// waits end by notification, and a task group with a sleeping child cost more than
        /// the wait itself.
        func wait(upTo duration: Duration) async -> Bool {
            await withTaskCancellationHandler {
                await withUnsafeContinuation { (continuation: UnsafeContinuation<Bool, Never>) in
                    let outcome = state.withLock { state -> (now: Bool?, wait: UInt64) in
                        if state.notified {
                            state.notified = false
                            return (true, 0)
                        }
                        // The flag is set before the handler runs: a handler that took the lock
                        // first (and found no continuation) is seen here.
                        if Task.isCancelled { return (false, 0) }
                        state.wait &+= 1
                        state.continuation = continuation
                        return (nil, state.wait)
                    }
                    if let now = outcome.now {
                        continuation.resume(returning: now)
                        return
                    }
                    let milliseconds = min(max(duration.wholeMilliseconds, 0), 86_400_000)
                    DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds)) {
                        self.expire(outcome.wait)
                    }
                }
            } onCancel: {
                expire(nil)
            }
        }

        /// Ends wait number `wait` (any wait when `nil`) with `false`, if it is still in progress.
        private func expire(_ wait: UInt64?) {
            let continuation = state.withLock { state -> UnsafeContinuation<Bool, Never>? in
                guard let continuation = state.continuation, wait == nil || wait == state.wait else { return nil }
                state.continuation = nil
                return continuation
            }
            continuation?.resume(returning: false)
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
    /// The longest result (its JSON bytes) an announcement carries; longer ones are announced by
    /// task ID alone and read with `GET`, so that every subscriber does not receive every large result.
    static let inlineLimit = 512

    /// What a worker publishes for a stored result: the task ID, and the result itself when it
    /// is short and the ID has no NUL byte (the separator).
    static func announcement(taskID: String, result: [UInt8]) -> [UInt8] {
        var message = Array(taskID.utf8)
        guard result.count <= inlineLimit, !message.contains(0) else { return message }
        message.append(0)
        message += result
        return message
    }
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
                services.start(subscription)
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
            defer {
                state.connection = nil
                state.waiters = [:]
            }
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

    /// The subscriber: one connection kept subscribed until closed, reconnecting with backoff.
    private var subscription: RedisSubscription {
        let address = configuration.address
        return RedisSubscription(
            channel: channel, configuration: configuration, logger: logger,
            purpose: "result notifications (waiters keep polling meanwhile)",
            adopt: { connection in
                self.state.withLock { state -> Bool in
                    if !state.closed { state.connection = connection }
                    return !state.closed
                }
            },
            subscribed: { self.subscribed() },
            received: { self.received($0) },
            withoutPushes: {
                self.logger.notice(
                    "Redis at \(address) speaks only RESP2, so result waiters are not notified; they poll every 50 ms at most")
            }
        )
    }

    /// Wakes the waiters of the task whose result was announced, handing them the result when
    /// the announcement carries it.
    private func received(_ message: String) {
        var taskID = message
        var result: [UInt8]?
        if let separator = message.utf8.firstIndex(of: 0) {
            taskID = String(message[..<separator])
            result = Array(message.utf8[message.utf8.index(after: separator)...])
        }
        let waiters = state.withLock { $0.waiters[taskID].map { Array($0.values) } ?? [] }
        for waiter in waiters { waiter.notify(result: result) }
    }

    /// Anything announced before a (re)subscription may have been missed: every waiter re-checks.
    private func subscribed() {
        let waiters = state.withLock { $0.waiters.values.flatMap(\.values) }
        for waiter in waiters { waiter.notify() }
        onSubscribe?()
    }
}
