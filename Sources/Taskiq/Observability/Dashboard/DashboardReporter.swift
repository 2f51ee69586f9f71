import Dispatch
import Synchronization

/// Posts ``DashboardEvent``s to taskiq-dashboard from a background thread, in the order they
/// were reported.
///
/// ``report(_:)`` never blocks and never fails: it appends to a bounded queue, or drops and
/// counts the event when the queue is full, so a slow or absent dashboard never slows a task.
/// Failed requests lose their event (counted); failures are logged at most once per
/// ``failureLogInterval``. An event of a task whose ID is not a UUID is not sent (the
/// dashboard would refuse it): that is logged once, then only counted.
final class DashboardReporter: Sendable {
    /// The seconds between two logged send failures; failures in between are counted in the next line.
    static let failureLogInterval: Duration = .seconds(30)

    /// An event waiting to be sent, its body already encoded (so the queue's bytes are known).
    private struct Pending: Sendable {
        var kind: DashboardEvent.Kind
        var taskID: String
        var path: String
        var body: [UInt8]
    }

    private struct State: Sendable {
        var queue = FIFOBuffer<Pending>()
        /// The bytes of the bodies in ``queue``.
        var queuedBytes = 0
        var statistics = DashboardMiddleware.Statistics()
        var stopping = false
        var stopDeadline: ContinuousClock.Instant?
        var finished = false
        var sending = false
        var lastFailureLog: ContinuousClock.Instant?
        var unloggedFailures = 0
        var loggedNonUUID = false
        /// Whether the thread was started: at the first event, so a configuration that is only
        /// checked (or a process that never reports) starts none.
        var threadStarted = false
    }

    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let drained = DispatchSemaphore(value: 0)
    private let client: HTTPClient
    private let headers: [(String, String)]
    private let queueSize: Int
    private let queueBytes: Int
    private let logger: Logger

    /// Creates a reporter; its thread starts with the first event.
    /// - Throws: ``HTTPClientError`` when the URL is invalid.
    init(options: DashboardMiddleware.Options, logger: Logger) throws(HTTPClientError) {
        client = HTTPClient(endpoint: try HTTPEndpoint(url: options.url), timeout: options.timeout)
        headers = [("Content-Type", "application/json"), ("access-token", options.apiToken)]
        queueSize = options.queueSize
        queueBytes = options.queueBytes
        self.logger = logger
    }

    /// The dashboard's endpoint.
    var endpoint: HTTPEndpoint { client.endpoint }

    /// Queues an event, or drops and counts it when the queue is full or the reporter stopped.
    func report(_ event: DashboardEvent) {
        guard DashboardEvent.isUUID(event.taskID) else {
            let first = state.withLock { state -> Bool in
                state.statistics.skipped += 1
                defer { state.loggedNonUUID = true }
                return !state.loggedNonUUID
            }
            if first {
                logger.warning(
                    "task ID \"\(event.taskID)\" is not a UUID, which taskiq-dashboard requires: events of such tasks are not reported (use the default uuid4 task ID generator); this is logged once",
                    metadata: ["task_id": event.taskID])
            }
            return
        }
        let pending = Pending(
            kind: event.kind, taskID: event.taskID, path: event.path,
            body: JSONValue.object(event.body).serialized(style: .compact))
        let outcome = state.withLock { state -> Admission in
            guard !state.stopping, state.queue.count < queueSize, state.queuedBytes + pending.body.count <= queueBytes else {
                state.statistics.dropped += 1
                return .dropped
            }
            state.queue.append(pending)
            state.queuedBytes += pending.body.count
            defer { state.threadStarted = true }
            return state.threadStarted ? .queued : .queuedFirst
        }
        switch outcome {
        case .dropped:
            return
        case .queued:
            wake.signal()
        case .queuedFirst:
            do {
                try PlatformThread.start(name: "taskiq-dashboard", stackSize: 512 << 10) { [self] in run() }
                wake.signal()
            } catch {
                state.withLock { state in
                    state.statistics.failed += state.queue.count
                    state.queue = FIFOBuffer()
                    state.queuedBytes = 0
                    state.stopping = true
                    state.finished = true
                }
                drained.signal()
                logger.error("cannot start the taskiq-dashboard reporting thread (\(error)); tasks are not reported")
            }
        }
    }

    private enum Admission {
        case dropped, queued, queuedFirst
    }

    /// What has been reported so far.
    var statistics: DashboardMiddleware.Statistics {
        state.withLock { state in
            var statistics = state.statistics
            statistics.queued = state.queue.count
            return statistics
        }
    }

    /// Stops accepting events, sends those waiting, and returns when they are sent or `timeout`
    /// has passed (then a request in flight is abandoned and the rest are counted as failed).
    func shutdown(timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        let alreadyFinished = state.withLock { state -> Bool in
            if !state.stopping {
                state.stopping = true
                state.stopDeadline = deadline
            }
            if !state.threadStarted { state.finished = true }
            return state.finished
        }
        guard !alreadyFinished else {
            client.close()
            return
        }
        wake.signal()
        let finished = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            // A blocking wait, off the concurrency pool's threads.
            DispatchQueue.global().async { [drained] in
                let milliseconds = max(1, min(ContinuousClock.now.duration(to: deadline).wholeMilliseconds, 600_000) + 1)
                let result = drained.wait(timeout: .now() + .milliseconds(milliseconds))
                if result == .success { drained.signal() }  // later waiters see it too
                continuation.resume(returning: result == .success)
            }
        }
        if !finished { client.close() }
    }

    private func run() {
        while true {
            wake.wait()
            while let event = nextEvent() { send(event) }
            let done = state.withLock { state -> Bool in
                guard state.stopping else { return false }
                state.statistics.failed += state.queue.count
                state.queue = FIFOBuffer()
                state.queuedBytes = 0
                state.finished = true
                return true
            }
            if done {
                client.close()
                drained.signal()
                return
            }
        }
    }

    /// The next waiting event; `nil` when none waits or the stop deadline has passed.
    private func nextEvent() -> Pending? {
        state.withLock { state -> Pending? in
            if let deadline = state.stopDeadline, ContinuousClock.now >= deadline { return nil }
            guard let next = state.queue.popFirst() else { return nil }
            state.queuedBytes -= next.body.count
            return next
        }
    }

    private func send(_ event: Pending) {
        let failure: String?
        do {
            let response = try client.send(method: "POST", path: event.path, headers: headers, body: event.body)
            failure = response.isSuccess ? nil : "the dashboard answered \(response.status): \(response.bodyText.prefix(200))"
        } catch {
            failure = error.description
        }
        let report = state.withLock { state -> String? in
            guard let failure else {
                state.statistics.sent += 1
                return nil
            }
            state.statistics.failed += 1
            state.unloggedFailures += 1
            let now = ContinuousClock.now
            if let last = state.lastFailureLog, now - last < Self.failureLogInterval { return nil }
            let earlier = state.unloggedFailures - 1
            state.lastFailureLog = now
            state.unloggedFailures = 0
            return "cannot report task \(event.taskID) \(event.kind.rawValue) to taskiq-dashboard at \(client.endpoint): \(failure)"
                + (earlier > 0 ? " (\(earlier) more failed events since the last report)" : "")
        }
        if let report { logger.warning(report, metadata: ["task_id": event.taskID]) }
    }
}
