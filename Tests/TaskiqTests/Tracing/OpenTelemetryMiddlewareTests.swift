import Foundation
import TaskiqTestSupport
import Testing

@testable import Taskiq

@Suite struct OpenTelemetryMiddlewareTests {
    /// A broker traced by the middleware, collecting finished spans.
    private struct Traced {
        let broker = InMemoryBroker()
        let finished = MutexBox<[Span]>([])
        let middleware: OpenTelemetryMiddleware

        init(openSpanLimit: Int = 10_000) {
            let finished = self.finished
            middleware = OpenTelemetryMiddleware(openSpanLimit: openSpanLimit) { span in finished.withLock { $0.append(span) } }
            broker.addMiddlewares([middleware])
        }

        func span(_ name: String) throws -> Span { try #require(finished.value.first { $0.name == name }) }
        func attribute(_ span: Span, _ key: String) -> SpanAttributeValue? { span.attributes.first { $0.key == key }?.value }
    }

    @Test func aNestedKickStaysInTheTrace() async throws {
        let traced = Traced()
        let inner = traced.broker.task("mod:inner") { (x: Int) async throws -> Int in x + 1 }
        let outer = traced.broker.task("mod:outer") { (x: Int) async throws -> Int in
            let result = try await inner.kiq(x).waitResult(timeout: .seconds(30))
            return result.returnValue ?? -1
        }
        let result = try await outer.kiq(1).waitResult(timeout: .seconds(30))
        #expect(result.returnValue == 2)
        try await eventually("four spans end", seconds: 30) { traced.finished.value.count == 4 }

        let sendOuter = try traced.span("send/mod:outer")
        let executeOuter = try traced.span("execute/mod:outer")
        let sendInner = try traced.span("send/mod:inner")
        let executeInner = try traced.span("execute/mod:inner")
        let trace = sendOuter.context.traceID
        #expect([executeOuter, sendInner, executeInner].allSatisfy { $0.context.traceID == trace })
        #expect(sendOuter.parentSpanID == nil)
        #expect(executeOuter.parentSpanID == sendOuter.context.spanID)
        #expect(sendInner.parentSpanID == executeOuter.context.spanID)
        #expect(executeInner.parentSpanID == sendInner.context.spanID)
        #expect(sendOuter.kind == .producer && executeOuter.kind == .consumer)
        #expect(traced.finished.value.allSatisfy { $0.endTimeUnixNano >= $0.startTimeUnixNano && $0.status == .unset })
        #expect(traced.middleware.openSpans == 0)

        // taskiq's attribute names.
        #expect(traced.attribute(sendOuter, "taskiq.action") == .string("send"))
        #expect(traced.attribute(sendOuter, "taskiq.task_name") == .string("mod:outer"))
        #expect(traced.attribute(executeOuter, "taskiq.action") == .string("execute"))
        #expect(traced.attribute(executeOuter, "taskiq.task_name") == .string("mod:outer"))

        // taskiq's label names and types, as the result carries them back.
        let parent = try #require(result.labels["traceparent"]?.stringValue.flatMap { TraceParent(header: $0) })
        #expect(parent.traceID == trace && parent.spanID == sendOuter.context.spanID)
        #expect(result.labels["_taskiq_queue_time"]?.doubleValue.map { $0 > 1_600_000_000 } == true)
        #expect(result.labels["_taskiq_broker_receive_time"]?.doubleValue.map { $0 > 1_600_000_000 } == true)
    }

    @Test func theMessageIDIsTheTaskID() async throws {
        let traced = Traced()
        let task = traced.broker.task("t") { () async throws -> Int in 1 }
        let handle = try await task.kiq()
        _ = try await handle.waitResult(timeout: .seconds(30))
        try await eventually("two spans end", seconds: 30) { traced.finished.value.count == 2 }
        #expect(traced.attribute(try traced.span("send/t"), "messaging.message.id") == .string(handle.taskID))
        #expect(traced.attribute(try traced.span("execute/t"), "messaging.message.id") == nil)
    }

    @Test func anIncomingTraceparentIsContinued() async throws {
        let traced = Traced()
        _ = traced.broker.task("py:task") { () async throws -> Int in 1 }
        let remote = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        let message = TaskiqMessage(
            taskID: "abc", taskName: "py:task",
            labels: [
                "traceparent": .string(remote), "tracestate": .string("congo=t61rcWkgMzE"),
                "timeout": .int(5), "_retries": .string("0"), "delay": .double(0.5),
            ])
        try await traced.broker.kick(message)
        try await eventually("the execute span ends", seconds: 30) { traced.finished.value.count == 1 }
        let span = try traced.span("execute/py:task")
        #expect(span.context.traceID.hex == "0af7651916cd43dd8448eb211c80319c")
        #expect(span.parentSpanID?.hex == "b7ad6b7169203331")
        #expect(span.context.traceState == "congo=t61rcWkgMzE")
        #expect(traced.attribute(span, "taskiq.timeout") == .int(5))
        #expect(traced.attribute(span, "taskiq.delay") == .double(0.5))
        #expect(traced.attribute(span, "taskiq._retries") == nil)
    }

    @Test func anUnsampledTraceIsPassedOnButNotExported() async throws {
        let traced = Traced()
        _ = traced.broker.task("quiet") { () async throws -> Int in 1 }
        try await traced.broker.kick(
            TaskiqMessage(
                taskID: "q1", taskName: "quiet",
                labels: ["traceparent": .string("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00")]))
        try await traced.broker.kick(TaskiqMessage(taskID: "q2", taskName: "quiet", labels: ["traceparent": .string("garbage")]))
        try await eventually("both tasks ran", seconds: 30) { traced.middleware.openSpans == 0 && traced.finished.value.count == 1 }
        let span = try #require(traced.finished.value.first)
        #expect(span.parentSpanID == nil)  // the garbage header starts a new trace
    }

    @Test func aFailureIsRecordedUnlessItWillBeRetried() async throws {
        let traced = Traced()
        let fail = traced.broker.task("fail") { () async throws -> Int in throw TaskError(name: "ValueError", arguments: ["boom"]) }
        let retried = traced.broker.task("retried", labels: ["retry_on_error": "True"]) { () async throws -> Int in
            throw TaskError(name: "KeyError", arguments: ["again"])
        }
        _ = try await fail.kiq().waitResult(timeout: .seconds(30))
        _ = try await retried.kiq().waitResult(timeout: .seconds(30))
        try await eventually("four spans end", seconds: 30) { traced.finished.value.count == 4 }
        let failed = try traced.span("execute/fail")
        #expect(failed.status == SpanStatus(.error, message: "boom"))
        #expect(failed.events.map(\.name) == ["exception"])
        #expect(failed.events.first?.attributes.first == SpanAttribute("exception.type", .string("ValueError")))
        let retrying = try traced.span("execute/retried")
        #expect(retrying.status == .unset && retrying.events.isEmpty)
        #expect(traced.attribute(retrying, "taskiq.retry.reason") == .string("again"))
        #expect(traced.attribute(retrying, "taskiq.retry_on_error") == .string("True"))
    }

    @Test func spansThatNeverEndAreBounded() async throws {
        let traced = Traced(openSpanLimit: 3)
        for index in 0..<50 {
            _ = try await traced.middleware.preSend(TaskiqMessage(taskID: "lost-\(index)", taskName: "t"))
        }
        #expect(traced.middleware.openSpans == 3)
        try await traced.middleware.postSend(TaskiqMessage(taskID: "lost-49", taskName: "t"))
        try await traced.middleware.postSend(TaskiqMessage(taskID: "lost-0", taskName: "t"))
        #expect(traced.middleware.openSpans == 2 && traced.finished.value.count == 1)
    }

    @Test func workerLogLinesCarryTheTraceID() async throws {
        let sink = CollectingSink()
        let logger = Logger(label: "taskiq.receiver", configuration: .init(format: .json, minimumLevel: .debug, sink: sink))
        let broker = InMemoryBroker(
            maxAsyncTasks: 10, syncTasksPoolSize: 1, logsFormat: nil, maxStoredResults: 100,
            castTypes: true, resultBackend: nil, taskIDGenerator: nil, awaitInplace: false,
            limits: MessageLimits(), receiverLogger: logger)
        let taskLogger = MutexBox<[String: String]>([:])
        _ = broker.task("mod:logs") { () async throws -> Int in
            taskLogger.value = TaskContext.current?.logger.metadata ?? [:]
            throw TaskError(name: "ValueError", arguments: ["logged"])
        }
        let remote = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        try await broker.kick(TaskiqMessage(taskID: "id-1", taskName: "mod:logs", labels: ["traceparent": .string(remote)]))
        try await eventually("the failure is logged", seconds: 30) { sink.lines.contains { $0.contains("task failed") } }
        let line = try #require(sink.lines.first { $0.contains("task failed") })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["task_id"] as? String == "id-1")
        #expect(object["task_name"] as? String == "mod:logs")
        #expect(object["trace_id"] as? String == "0af7651916cd43dd8448eb211c80319c")
        #expect(taskLogger.value["trace_id"] == "0af7651916cd43dd8448eb211c80319c")

        try await broker.kick(TaskiqMessage(taskID: "id-2", taskName: "mod:logs", labels: ["traceparent": .string("00-zz")]))
        try await eventually("the second failure is logged", seconds: 30) { sink.lines.contains { $0.contains("\"id-2\"") } }
        #expect(sink.lines.filter { $0.contains("\"id-2\"") }.allSatisfy { !$0.contains("trace_id") })
    }
}
