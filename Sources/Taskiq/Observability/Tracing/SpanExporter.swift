import Dispatch
import Synchronization

/// Sends finished spans to an OTLP/HTTP collector as JSON, from a background thread.
///
/// ``export(_:)`` never blocks and never fails: it appends the span to a bounded queue, or drops
/// and counts it when the queue is full (a stalled collector must never slow a task). A thread
/// posts `<endpoint>/v1/traces` with `Content-Type: application/json` whenever a batch fills or
/// the export interval passes. Failed requests lose their spans (counted); failures and drops are
/// logged at most once per ``failureLogInterval`` each. ``shutdown(timeout:)`` sends what is waiting, up to a
/// deadline.
/// ```swift
/// let exporter = try SpanExporter(options: .init(endpoint: "http://127.0.0.1:4318", serviceName: "billing"))
/// exporter.export(span)
/// await exporter.shutdown(timeout: .seconds(5))
/// ```
public final class SpanExporter: Sendable {
    /// The options it was created with.
    public let options: Options
    /// The least time between two logged export failures (or two drop reports); those in between are counted in the next line.
    public static let failureLogInterval: Duration = .seconds(30)

    private struct State: Sendable {
        var queue = FIFOBuffer<Span>()
        var statistics = Statistics()
        var stopping = false
        var stopDeadline: ContinuousClock.Instant?
        var finished = false
        var lastFailureLog: ContinuousClock.Instant?
        var unloggedFailures = 0
        var lastDropLog: ContinuousClock.Instant?
        var reportedDrops = 0
    }

    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let client: HTTPClient
    private let encoder: OTLPJSONEncoder
    private let headers: [(String, String)]
    private let logger: Logger

    /// Creates an exporter and starts its thread.
    /// - Parameters:
    ///   - options: Where and how to export.
    ///   - logger: Where export failures are reported.
    /// - Throws: ``HTTPClientError`` when the endpoint is not a valid URL; a `SystemError` when
    ///   the thread cannot be started.
    public init(options: Options, logger: Logger = Logger(label: "taskiq.tracing")) throws {
        self.options = options
        self.logger = logger
        client = HTTPClient(endpoint: try HTTPEndpoint(url: options.endpoint), timeout: options.exportTimeout)
        encoder = OTLPJSONEncoder(serviceName: options.serviceName)
        headers =
            [("Content-Type", "application/json")]
            + options.headers.filter { $0.0.lowercased() != "content-type" }
        try PlatformThread.start(name: "otlp-exporter") { [self] in run() }
    }

    /// Queues a finished span; drops it (and counts it) when the queue is full or the exporter is shut down.
    public func export(_ span: Span) {
        let fill = state.withLock { state -> Int in
            guard !state.stopping, state.queue.count < options.queueSize else {
                state.statistics.dropped += 1
                return 0
            }
            state.queue.append(span)
            return state.queue.count
        }
        if fill == options.batchSize { wake.signal() }
    }

    /// What has been exported, dropped and lost so far.
    public var statistics: Statistics {
        state.withLock { state in
            var statistics = state.statistics
            statistics.queued = state.queue.count
            return statistics
        }
    }

    /// Stops accepting spans, sends those waiting, and returns when they are sent or `timeout` has
    /// passed (then a request in flight is abandoned and the rest are counted as failed).
    public func shutdown(timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        state.withLock { state in
            if !state.stopping {
                state.stopping = true
                state.stopDeadline = deadline
            }
        }
        wake.signal()
        while !state.withLock({ $0.finished }) && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        if !state.withLock({ $0.finished }) { client.close() }
    }

    private func run() {
        var lastFlush = ContinuousClock.now
        while true {
            if !state.withLock({ $0.stopping }) {
                let remaining = options.exportInterval - (ContinuousClock.now - lastFlush)
                _ = wake.wait(timeout: .now() + Self.dispatchInterval(remaining))
            }
            // A full batch goes at once; a partial one waits for the interval (or shutdown).
            let due = ContinuousClock.now - lastFlush >= options.exportInterval
            if due { lastFlush = ContinuousClock.now }
            while let batch = nextBatch(partial: due) { send(batch) }
            reportDrops()
            let done = state.withLock { state -> Bool in
                guard state.stopping else { return false }
                state.statistics.failed += state.queue.count
                state.queue = FIFOBuffer()
                state.finished = true
                return true
            }
            if done {
                client.close()
                return
            }
        }
    }

    /// Takes up to a batch of waiting spans; `nil` when none wait, when fewer than a batch wait
    /// and `partial` is false (unless shutting down), or when the stop deadline has passed.
    private func nextBatch(partial: Bool) -> [Span]? {
        state.withLock { state -> [Span]? in
            if let deadline = state.stopDeadline, ContinuousClock.now >= deadline { return nil }
            guard !state.queue.isEmpty, partial || state.stopping || state.queue.count >= options.batchSize else { return nil }
            var batch: [Span] = []
            batch.reserveCapacity(min(state.queue.count, options.batchSize))
            while batch.count < options.batchSize, let span = state.queue.popFirst() { batch.append(span) }
            return batch
        }
    }

    private func send(_ batch: [Span]) {
        let body = encoder.encode(batch)
        let failure: String?
        do {
            let response = try client.send(method: "POST", path: "/v1/traces", headers: headers, body: body)
            failure = response.isSuccess ? nil : "the collector answered \(response.status): \(response.bodyText.prefix(200))"
        } catch {
            failure = error.description
        }
        let report = state.withLock { state -> String? in
            state.statistics.requests += 1
            guard let failure else {
                state.statistics.exported += batch.count
                return nil
            }
            state.statistics.failed += batch.count
            state.unloggedFailures += 1
            let now = ContinuousClock.now
            if let last = state.lastFailureLog, now - last < Self.failureLogInterval { return nil }
            let earlier = state.unloggedFailures - 1
            state.lastFailureLog = now
            state.unloggedFailures = 0
            return "cannot export \(batch.count) spans to \(client.endpoint): \(failure)"
                + (earlier > 0 ? " (\(earlier) more failed requests since the last report)" : "")
        }
        if let report { logger.warning(report) }
    }

    /// Logs spans dropped since the last report, at most once per ``failureLogInterval``.
    private func reportDrops() {
        let report = state.withLock { state -> String? in
            let dropped = state.statistics.dropped - state.reportedDrops
            guard dropped > 0 else { return nil }
            let now = ContinuousClock.now
            if let last = state.lastDropLog, now - last < Self.failureLogInterval { return nil }
            state.lastDropLog = now
            state.reportedDrops = state.statistics.dropped
            return
                "dropped \(dropped) spans: the export queue (\(options.queueSize) spans) was full; \(state.statistics.dropped) dropped in all"
        }
        if let report { logger.warning(report) }
    }

    private static func dispatchInterval(_ duration: Duration) -> DispatchTimeInterval {
        let (seconds, attoseconds) = duration.components
        let milliseconds =
            seconds >= 86_400
            ? 86_400_000
            : seconds < 0 ? 1 : max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
        return .milliseconds(milliseconds)
    }
}
