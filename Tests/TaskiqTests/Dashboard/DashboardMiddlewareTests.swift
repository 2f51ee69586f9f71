import Foundation
import TaskiqTestSupport
import Testing

@testable import Taskiq

/// ``DashboardMiddleware`` reporting to a real taskiq-dashboard process.
@Suite(.enabled(if: DashboardServer.shouldRun, DashboardServer.skipMessage))
struct DashboardMiddlewareTests {
    private func message(_ name: String = "examples.add", args: [JSONValue] = [2, 3]) -> TaskiqMessage {
        TaskiqMessage(taskID: TaskIDGenerator.uuid4(), taskName: name, args: args)
    }

    @Test func aTasksLifecycleShowsOnItsDetailsPage() async throws {
        let server = try await DashboardServer.start()
        defer { server.stop() }
        // A minute per request and for shutdown's flush: on a loaded CI machine the (niced) dashboard
        // took up to 2 s per request, past the 5 s default for all five.
        let dashboard = try DashboardMiddleware(
            options: .init(
                url: server.url, apiToken: server.token, timeout: .seconds(60),
                brokerName: "swift-worker"))
        let success = message(args: [20, 22])
        let failure = message("examples.fail", args: ["boom"])
        try await dashboard.postSend(success)
        _ = try await dashboard.preExecute(success)
        try await dashboard.postExecute(success, result: TaskiqResult(isErr: false, returnValue: 42, executionTime: 0.01))
        _ = try await dashboard.preExecute(failure)
        try await dashboard.postExecute(
            failure,
            result: TaskiqResult(
                isErr: true, returnValue: nil, executionTime: 0.02, error: TaskError(name: "ValueError", arguments: ["boom"])))
        try await dashboard.shutdown()
        #expect(dashboard.statistics == .init(sent: 5), "\(server.log.suffix(2000))")

        let successPage = try await server.detailsPage(taskID: success.taskID)
        let page = try #require(successPage)
        #expect(page.contains("examples.add"))
        #expect(page.contains("Completed"))
        #expect(page.contains("swift-worker"))
        #expect(page.contains("20,") && page.contains("22"))
        #expect(page.contains(">42</pre>"))
        let failurePage = try await server.detailsPage(taskID: failure.taskID)
        let failed = try #require(failurePage)
        #expect(failed.contains("Failure"))
        #expect(failed.contains("ValueError(&#39;boom&#39;)") || failed.contains("ValueError('boom')"), "\(failed)")
    }

    @Test func aWrongTokenOrANonUUIDTaskIsCountedNotSent() async throws {
        let server = try await DashboardServer.start()
        defer { server.stop() }
        let wrong = try DashboardMiddleware(options: .init(url: server.url, apiToken: "not-the-token", timeout: .seconds(60)))
        let task = message()
        _ = try await wrong.preExecute(task)
        try await wrong.shutdown()
        #expect(wrong.statistics == .init(failed: 1))
        let missing = try await server.detailsPage(taskID: task.taskID)
        #expect(missing == nil)

        let capture = LogCapture()
        var logger = Logger(label: "dashboard")
        logger.capture = capture
        let dashboard = try DashboardMiddleware(options: .init(url: server.url, apiToken: server.token), logger: logger)
        for id in ["order-1", "order-2", "order-3"] {
            _ = try await dashboard.preExecute(TaskiqMessage(taskID: id, taskName: "examples.add"))
        }
        try await dashboard.shutdown()
        #expect(dashboard.statistics == .init(skipped: 3))
        #expect(capture.text.split(separator: "\n").filter { $0.contains("not a UUID") }.count == 1, "\(capture.text)")
    }
}

/// Reporting never waits for the dashboard.
@Suite struct DashboardMiddlewareQueueTests {
    @Test func aStalledDashboardNeverBlocksAHookAndAFullQueueDrops() async throws {
        // A listener that accepts and never answers: the first request hangs until its timeout.
        let listener = try TCPListener.listen(on: SocketAddress.resolve(host: "127.0.0.1", port: 0, family: .ipv4)[0])
        defer { listener.close() }
        let dashboard = try DashboardMiddleware(
            options: .init(
                url: "http://127.0.0.1:\(listener.port)", apiToken: "t",
                timeout: .seconds(10), queueSize: 2))
        let started = ContinuousClock.now
        for _ in 0..<20 {
            _ = try await dashboard.preExecute(TaskiqMessage(taskID: TaskIDGenerator.uuid4(), taskName: "examples.add"))
        }
        // Far below the 10 s one blocked request would take, with room for a loaded machine.
        #expect(ContinuousClock.now - started < .seconds(8))
        let statistics = dashboard.statistics
        #expect(statistics.dropped >= 17 && statistics.dropped <= 18, "\(statistics)")
        let stopping = ContinuousClock.now
        try await dashboard.shutdown()  // gives up at the 10 s timeout, not after the 30 s three requests would take
        #expect(ContinuousClock.now - stopping < .seconds(20))
        #expect(dashboard.statistics.sent == 0)
    }

    @Test func largeArgumentsAreBoundedByBytesNotOnlyByCount() async throws {
        let listener = try TCPListener.listen(on: SocketAddress.resolve(host: "127.0.0.1", port: 0, family: .ipv4)[0])
        defer { listener.close() }
        let dashboard = try DashboardMiddleware(
            options: .init(
                url: "http://127.0.0.1:\(listener.port)", apiToken: "t",
                timeout: .seconds(1), queueSize: 1000, queueBytes: 64 << 10))
        // 100 events of about 10 KiB each against a 64 KiB budget: the first is taken by the
        // hanging request, about six wait, the rest are dropped however many the count allows.
        let big = JSONValue.string(String(repeating: "x", count: 10_000))
        for _ in 0..<100 {
            _ = try await dashboard.preExecute(TaskiqMessage(taskID: TaskIDGenerator.uuid4(), taskName: "examples.echo", args: [big]))
        }
        let statistics = dashboard.statistics
        #expect(statistics.queued <= 7, "\(statistics)")
        #expect(statistics.dropped >= 92, "\(statistics)")
        try await dashboard.shutdown()
    }
}
