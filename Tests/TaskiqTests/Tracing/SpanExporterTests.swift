import Foundation
import TaskiqTestSupport
import Testing

@testable import Taskiq

@Suite struct SpanExporterTests {
    private func spans(_ count: Int) -> [Span] {
        (0..<count).map { index in
            var span = Span(name: "send/t\(index)", kind: .producer, parent: nil)
            span.end()
            return span
        }
    }

    @Test func fullBatchesGoAtOnceAndShutdownSendsTheRest() async throws {
        let collector = try OTLPCollector()
        defer { collector.close() }
        let exporter = try SpanExporter(
            options: .init(
                endpoint: collector.endpoint + "/otel", serviceName: "svc", headers: [("x-api-key", "k1"), ("content-type", "text/plain")],
                batchSize: 3, queueSize: 10, exportInterval: .seconds(3600)))
        for span in spans(7) { exporter.export(span) }
        try await eventually("two full batches arrive", seconds: 30) { collector.requests.count == 2 }
        #expect(exporter.statistics.queued == 1)
        await exporter.shutdown(timeout: .seconds(30))
        let requests = collector.requests
        #expect(requests.count == 3)
        #expect(requests.allSatisfy { $0.requestLine == "POST /otel/v1/traces HTTP/1.1" })
        #expect(requests.allSatisfy { $0.headers["content-type"] == "application/json" && $0.headers["x-api-key"] == "k1" })
        #expect(collector.spans.compactMap { $0["name"] as? String } == (0..<7).map { "send/t\($0)" })
        #expect(exporter.statistics == SpanExporter.Statistics(exported: 7, dropped: 0, failed: 0, queued: 0, requests: 3))
        exporter.export(spans(1)[0])
        #expect(exporter.statistics.dropped == 1)  // after shutdown
    }

    @Test func theIntervalSendsAPartialBatch() async throws {
        let collector = try OTLPCollector()
        defer { collector.close() }
        let exporter = try SpanExporter(
            options: .init(
                endpoint: collector.endpoint, batchSize: 100,
                exportInterval: .milliseconds(50)))
        for span in spans(2) { exporter.export(span) }
        try await eventually("the interval flushes", seconds: 30) { exporter.statistics.exported == 2 }
        await exporter.shutdown(timeout: .seconds(5))
        #expect(collector.requests.count == 1)
    }

    @Test func aStalledCollectorNeverBlocksAndDropsAreCounted() async throws {
        let collector = try OTLPCollector(stalled: true)
        defer { collector.close() }
        let sink = CollectingSink()
        let exporter = try SpanExporter(
            options: .init(
                endpoint: collector.endpoint, batchSize: 2, queueSize: 4,
                exportInterval: .milliseconds(10), exportTimeout: .seconds(60)),
            logger: Logger(label: "taskiq.tracing", configuration: .init(sink: sink)))
        let batch = spans(1000)
        let start = ContinuousClock.now
        for span in batch { exporter.export(span) }
        let elapsed = ContinuousClock.now - start
        // 1000 calls against a collector that never answers: each is a queue append or a drop,
        // never a wait for the request's 60 s timeout (the bound is half of it, not a speed
        // claim: a loaded CI machine has delayed this process's threads by 10 s).
        #expect(elapsed < .seconds(30))
        let statistics = exporter.statistics
        #expect(statistics.dropped >= 1000 - 4 - 2)
        #expect(statistics.exported == 0)
        let shutdownStart = ContinuousClock.now
        await exporter.shutdown(timeout: .milliseconds(300))
        // Shutdown abandons the stalled request rather than wait out its 60 s timeout.
        #expect(ContinuousClock.now - shutdownStart < .seconds(30))
        // The exporter thread is stuck in the stalled request until shutdown abandons it; then it reports the drops.
        try await eventually("the drops are logged", seconds: 30) { sink.lines.contains { $0.contains("dropped") && $0.contains("queue") } }
        try await eventually("the abandoned spans are counted", seconds: 30) {
            let final = exporter.statistics
            return final.dropped + final.failed == 1000 && final.queued == 0
        }
    }

    @Test func refusedRequestsAreCountedAsFailed() async throws {
        let collector = try OTLPCollector(status: 500)
        defer { collector.close() }
        let exporter = try SpanExporter(options: .init(endpoint: collector.endpoint, batchSize: 2, exportInterval: .seconds(3600)))
        for span in spans(4) { exporter.export(span) }
        try await eventually("both batches are refused", seconds: 30) { exporter.statistics.failed == 4 }
        await exporter.shutdown(timeout: .seconds(5))
        #expect(exporter.statistics.exported == 0 && exporter.statistics.requests == 2)
    }

    @Test func anUnreachableCollectorLosesSpansQuietly() async throws {
        let port = freeLoopbackPort()
        let exporter = try SpanExporter(options: .init(endpoint: "http://127.0.0.1:\(port)", batchSize: 1, exportInterval: .seconds(3600)))
        for span in spans(3) { exporter.export(span) }
        try await eventually("the refused connections are counted", seconds: 30) { exporter.statistics.failed == 3 }
        await exporter.shutdown(timeout: .seconds(5))
    }

    @Test func anInvalidEndpointIsRejected() {
        #expect(throws: HTTPClientError.self) { try SpanExporter(options: .init(endpoint: "ftp://nowhere")) }
    }
}
