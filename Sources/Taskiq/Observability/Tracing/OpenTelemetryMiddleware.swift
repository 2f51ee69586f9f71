import Synchronization

/// Traces tasks the way taskiq's Python `OpenTelemetryMiddleware` does, so one trace runs through
/// Python and Swift producers and workers alike.
///
/// On the producer, ``preSend(_:)`` starts a `send/<task name>` span (kind producer) and writes
/// the W3C trace context into the message's labels (`traceparent`, and `tracestate`/`baggage`
/// when the trace has them) with the `_taskiq_queue_time` label (Unix seconds, a float);
/// ``postSend(_:)`` ends it. Kicked from inside a task, the send span is a child of that task's
/// execute span, so follow-up tasks stay in the trace.
///
/// On the worker, ``preExecute(_:)`` reads the trace context from the labels, starts an
/// `execute/<task name>` span (kind consumer) as its child and sets `_taskiq_broker_receive_time`;
/// ``onError(_:result:error:)`` marks it failed (status error and an `exception` event) unless the
/// message's `retry_on_error` label is true, when it records `taskiq.retry.reason` instead;
/// ``postExecute(_:result:)`` ends it. Attributes use taskiq's names: `taskiq.action`,
/// `taskiq.task_name`, `messaging.message.id` (send spans), and `taskiq.<label>` for the
/// `_retries`, `delay`, `max_retries`, `retry_on_error`, `timeout` and `X-Taskiq-requeue` labels.
///
/// Sampling follows the parent: spans of a trace whose sender does not sample it are not
/// exported, but the context is still passed on.
/// ```swift
/// let exporter = try SpanExporter(options: .init(endpoint: "http://127.0.0.1:4318", serviceName: "billing"))
/// broker.addMiddlewares([OpenTelemetryMiddleware(exporter: exporter)])
/// ```
public final class OpenTelemetryMiddleware: TaskiqMiddleware, Sendable {
    /// The label holding the send time, in Unix seconds (taskiq's `_taskiq_queue_time`).
    public static let queueTimeLabel = "_taskiq_queue_time"
    /// The label holding the receive time, in Unix seconds (taskiq's `_taskiq_broker_receive_time`).
    public static let receiveTimeLabel = "_taskiq_broker_receive_time"
    /// The labels recorded as `taskiq.<label>` attributes, as taskiq's `TASKIQ_CONTEXT_ATTRIBUTES`.
    public static let contextLabels = ["_retries", "delay", "max_retries", "retry_on_error", "timeout", "X-Taskiq-requeue"]

    private let spans: Mutex<SpanTable>
    private let finish: @Sendable (Span) -> Void
    /// The exporter given to ``init(exporter:openSpanLimit:shutdownTimeout:)``, if any.
    package let exporter: SpanExporter?
    private let shutdownTimeout: Duration

    /// Creates the middleware.
    /// - Parameters:
    ///   - exporter: Where finished spans go; the middleware's ``shutdown()`` shuts it down.
    ///   - openSpanLimit: The most spans kept open at once; beyond it the oldest open span is
    ///     forgotten (a send that failed before `postSend` never ends its span).
    ///   - shutdownTimeout: How long ``shutdown()`` waits for the last spans to be sent.
    public init(exporter: SpanExporter, openSpanLimit: Int = 10_000, shutdownTimeout: Duration = .seconds(5)) {
        self.exporter = exporter
        self.finish = { exporter.export($0) }
        self.spans = Mutex(SpanTable(capacity: openSpanLimit))
        self.shutdownTimeout = shutdownTimeout
    }

    /// Creates the middleware handing each finished (sampled) span to `finish` (tests, custom exporters).
    package init(openSpanLimit: Int = 10_000, finish: @escaping @Sendable (Span) -> Void) {
        self.exporter = nil
        self.finish = finish
        self.spans = Mutex(SpanTable(capacity: openSpanLimit))
        self.shutdownTimeout = .zero
    }

    /// Spans started and not yet ended.
    package var openSpans: Int { spans.withLock { $0.count } }

    /// Sends the spans still waiting in the exporter.
    public func shutdown() async throws {
        await exporter?.shutdown(timeout: shutdownTimeout)
    }

    /// Starts the send span and writes the trace context and `_taskiq_queue_time` into the labels.
    public func preSend(_ message: TaskiqMessage) async throws -> TaskiqMessage {
        var message = message
        var span = Span(name: "send/\(message.taskName)", kind: .producer, parent: currentParent())
        span.setAttribute("taskiq.action", .string("send"))
        span.setAttribute("messaging.message.id", .string(message.taskID))
        span.setAttribute("taskiq.task_name", .string(message.taskName))
        Self.setContextAttributes(on: &span, from: message.labels)
        Self.inject(span.context, into: &message)
        message.setLabel(Self.queueTimeLabel, .double(Self.unixSeconds()))
        let key = SpanTable.Key(taskID: message.taskID, isPublish: true)
        spans.withLock { $0.insert(span, for: key) }
        return message
    }

    /// Ends the send span.
    public func postSend(_ message: TaskiqMessage) async throws {
        end(SpanTable.Key(taskID: message.taskID, isPublish: true)) { _ in }
    }

    /// Starts the execute span as a child of the context in the labels, and sets `_taskiq_broker_receive_time`.
    public func preExecute(_ message: TaskiqMessage) async throws -> TaskiqMessage {
        var message = message
        let span = Span(name: "execute/\(message.taskName)", kind: .consumer, parent: Self.extract(from: message.labels))
        let key = SpanTable.Key(taskID: message.taskID, isPublish: false)
        spans.withLock { $0.insert(span, for: key) }
        message.setLabel(Self.receiveTimeLabel, .double(Self.unixSeconds()))
        return message
    }

    /// Marks the execute span failed, or records the retry reason when the task will be retried.
    public func onError(_ message: TaskiqMessage, result: inout TaskiqResult<JSONValue>, error: TaskError) async throws {
        let retrying = Self.isTrue(message.labels["retry_on_error"])
        let key = SpanTable.Key(taskID: message.taskID, isPublish: false)
        spans.withLock { table in
            table.update(key) { span in
                if retrying {
                    span.setAttribute("taskiq.retry.reason", .string(error.message))
                    return
                }
                span.events.append(
                    SpanEvent(
                        name: "exception", timeUnixNano: Span.nowUnixNano(),
                        attributes: [
                            SpanAttribute("exception.type", .string(error.name)),
                            SpanAttribute("exception.message", .string(error.message)),
                        ]))
                span.status = SpanStatus(.error, message: error.message)
            }
        }
    }

    /// Ends the execute span with taskiq's attributes.
    public func postExecute(_ message: TaskiqMessage, result: TaskiqResult<JSONValue>) async throws {
        end(SpanTable.Key(taskID: message.taskID, isPublish: false)) { span in
            span.setAttribute("taskiq.action", .string("execute"))
            Self.setContextAttributes(on: &span, from: message.labels)
            span.setAttribute("taskiq.task_name", .string(message.taskName))
        }
    }

    private func end(_ key: SpanTable.Key, _ finishing: (inout Span) -> Void) {
        guard var span = spans.withLock({ $0.remove(key) }) else { return }
        finishing(&span)
        span.end()
        if span.context.isSampled { finish(span) }
    }

    /// The parent of a send span: the execute span of the task doing the kicking, if any; failing
    /// that (another middleware list, an evicted span), the trace the task's message came with.
    private func currentParent() -> SpanContext? {
        guard let context = TaskContext.current else { return nil }
        let key = SpanTable.Key(taskID: context.taskID, isPublish: false)
        if let span = spans.withLock({ $0[key] }) { return span.context }
        return Self.extract(from: context.labels)
    }

    /// The remote context in `traceparent`, `tracestate` and `baggage` labels; `nil` when there is no valid `traceparent`.
    static func extract(from labels: [String: JSONValue]) -> SpanContext? {
        guard !labels.isEmpty, let header = labels[TraceParent.key]?.stringValue,
            let parent = TraceParent(header: header)
        else { return nil }
        return SpanContext(
            traceID: parent.traceID, spanID: parent.spanID, isSampled: parent.isSampled,
            traceState: boundedHeader(labels["tracestate"]), baggage: boundedHeader(labels["baggage"]))
    }

    private static func inject(_ context: SpanContext, into message: inout TaskiqMessage) {
        message.setLabel(TraceParent.key, .string(context.traceParent.header))
        if let state = context.traceState { message.setLabel("tracestate", .string(state)) }
        if let baggage = context.baggage { message.setLabel("baggage", .string(baggage)) }
    }

    /// A `tracestate` or `baggage` value to pass on: a non-empty string of at most 8 KiB (W3C's limits are lower).
    private static func boundedHeader(_ value: JSONValue?) -> String? {
        guard let text = value?.stringValue, !text.isEmpty, text.utf8.count <= 8192 else { return nil }
        return text
    }

    private static func setContextAttributes(on span: inout Span, from labels: [String: JSONValue]) {
        guard !labels.isEmpty else { return }
        for key in contextLabels {
            guard let value = labels[key], value != .null else { continue }
            if key == "_retries", value == .string("0") || value == .int(0) { continue }
            span.setAttribute("taskiq.\(key)", SpanAttributeValue(label: value))
        }
    }

    private static func isTrue(_ value: JSONValue?) -> Bool {
        switch value {
        case .bool(let flag)?: flag
        case .string(let text)?: text.lowercased() == "true"
        default: false
        }
    }

    private static func unixSeconds() -> Double {
        let (seconds, nanoseconds) = WallClock.now()
        return Double(seconds) + Double(nanoseconds) / 1e9
    }
}
