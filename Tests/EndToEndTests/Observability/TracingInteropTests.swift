import Foundation
import TaskiqTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// One trace from Python to Swift and back, over Redis streams: a Python producer with taskiq's
/// `OpenTelemetryMiddleware` kicks `examples.relay` to a `taskiq-run` worker with the
/// `opentelemetry` middleware, whose task kicks `examples.add` to a Python worker (taskiq's
/// middleware again) on another stream. Python's spans are written to a file by
/// opentelemetry-sdk; Swift's are posted as OTLP/HTTP JSON to a collector the test runs.
///
/// Needs the venv made by `bash scripts/install-peers.sh` (taskiq, taskiq-redis,
/// opentelemetry-sdk) and redis-server; skipped without them, except under CI, where they fail.
@Suite(
    .enabled(if: RedisServer.shouldRun && (OpenTelemetryPython.hasPeer || RedisPython.isCI), "\(OpenTelemetryPython.skipMessage)"),
    .serialized)
struct TracingInteropTests {
    @Test func pythonToSwiftToPythonSharesOneTraceID() async throws {
        guard OpenTelemetryPython.hasPeer else {
            Issue.record("Python peer missing at \(RedisPython.python.path) while CI is set: \(OpenTelemetryPython.skipMessage)")
            return
        }
        try await RedisServer.with { server in
            let collector = try OTLPCollector()
            defer { collector.close() }
            let directory = try TemporaryConfigDirectory(files: [
                "otel.json": """
                {"broker": {"type": "redis_stream", "url": "\(server.url)"},
                 "result_backend": {"type": "dummy"},
                 "middlewares": [{"type": "opentelemetry", "endpoint": "\(collector.endpoint)",
                                  "service_name": "swift-worker", "export_interval": 0.05}],
                 "tasks": {"modules": ["examples"]},
                 "worker": {"workers": 1, "shutdown_timeout": 10, "log_format": "json", "log_level": "debug"}}
                """
            ])
            let spansFile = directory.url.appendingPathComponent("python-spans.jsonl").path
            let followUpQueue = "otel_followup"

            let pythonWorker = try RunningProcess(
                RedisPython.makeProcess(
                    ["-m", "taskiq", "worker", "otel_tasks:broker", "--workers", "1"],
                    environment: [
                        "REDIS_URL": server.url, "OTEL_QUEUE": followUpQueue, "OTEL_SPANS_FILE": spansFile,
                        "OTEL_SERVICE_NAME": "python-worker",
                    ]), collectingStandardOutput: true)
            defer { pythonWorker.signal(SIGKILL) }
            try await pythonWorker.waitForLine(containing: "Listening started.")
            let swiftWorker = try RunningProcess(["worker", "-c", directory.path("otel.json")])
            defer { swiftWorker.signal(SIGKILL) }
            try await swiftWorker.waitForLine(containing: "worker ready")

            let kick = try await RedisPython.run(
                ["otel_kick.py", followUpQueue],
                environment: [
                    "REDIS_URL": server.url, "OTEL_SPANS_FILE": spansFile, "OTEL_SERVICE_NAME": "python-producer",
                ])
            #expect(kick.status == 0, "\(kick.stderr)")
            let relayID = try #require(kick.stdout.split(separator: "\n").first { $0.hasPrefix("kicked ") }?.dropFirst(7))

            // Python's spans: the producer's send span and, later, the worker's execute span.
            let pythonSpans = try await Self.pythonSpans(
                in: spansFile,
                until: { spans in
                    spans.contains { $0["name"] as? String == "execute/examples.add" }
                })
            let send = try #require(pythonSpans.first { $0["name"] as? String == "send/examples.relay" })
            let trace = try #require(Self.hex((send["context"] as? [String: Any])?["trace_id"]))
            let sendSpanID = try #require(Self.hex((send["context"] as? [String: Any])?["span_id"]))
            #expect((send["attributes"] as? [String: Any])?["messaging.message.id"] as? String == String(relayID))

            // Swift's spans, at the OTLP endpoint.
            try await eventually("the Swift worker's spans reach the collector", seconds: 60) {
                let names = collector.spans.compactMap { $0["name"] as? String }
                return names.contains("execute/examples.relay") && names.contains("send/examples.add")
            }
            #expect(collector.requests.allSatisfy { $0.requestLine.hasPrefix("POST /v1/traces ") })
            let swiftSpans = collector.spans
            let execute = try #require(swiftSpans.first { $0["name"] as? String == "execute/examples.relay" })
            let followUp = try #require(swiftSpans.first { $0["name"] as? String == "send/examples.add" })
            #expect(execute["traceId"] as? String == trace)
            #expect(execute["parentSpanId"] as? String == sendSpanID)
            #expect(execute["kind"] as? Int == 5)
            #expect(followUp["traceId"] as? String == trace)
            #expect(followUp["parentSpanId"] as? String == execute["spanId"] as? String)
            #expect(followUp["kind"] as? Int == 4)
            let attributes = Self.attributes(execute)
            #expect(attributes["taskiq.action"] == "execute" && attributes["taskiq.task_name"] == "examples.relay")
            #expect(Self.attributes(followUp)["messaging.message.id"] != nil)

            // Python's worker continued the trace from Swift's send span.
            let pythonExecute = try #require(pythonSpans.first { $0["name"] as? String == "execute/examples.add" })
            #expect(Self.hex((pythonExecute["context"] as? [String: Any])?["trace_id"]) == trace)
            #expect(Self.hex(pythonExecute["parent_id"]) == followUp["spanId"] as? String)

            // The Swift worker's JSON log lines for the relay join the trace.
            let logLine = try #require(swiftWorker.lines.first { $0.contains("\"task_id\":\"\(relayID)\"") })
            let log = try #require(try JSONSerialization.jsonObject(with: Data(logLine.utf8)) as? [String: Any])
            #expect(log["trace_id"] as? String == trace && log["task_name"] as? String == "examples.relay")

            swiftWorker.signal(SIGTERM)
            #expect(try await swiftWorker.waitForExit() == 0)
            _ = directory
        }
    }

    /// `taskiq-run kick` exits only after its send span is exported: shutdown flushes the
    /// exporter, long before the (hour-long) export interval.
    @Test func aKickFlushesItsSendSpanOnExit() async throws {
        try await RedisServer.with { server in
            let collector = try OTLPCollector()
            defer { collector.close() }
            let directory = try TemporaryConfigDirectory(files: [
                "kick.json": """
                {"broker": {"type": "redis_stream", "url": "\(server.url)"},
                 "result_backend": {"type": "dummy"},
                 "middlewares": [{"type": "opentelemetry", "endpoint": "\(collector.endpoint)", "export_interval": 3600}],
                 "tasks": {"modules": ["examples"]}}
                """
            ])
            let id = "0123456789abcdef0123456789abcdef"
            let kick = try RunningProcess(["kick", "-c", directory.path("kick.json"), "examples.add", "1", "2", "--task-id", id])
            #expect(try await kick.waitForExit() == 0, "\(kick.lines)")
            let span = try #require(collector.spans.first { $0["name"] as? String == "send/examples.add" })
            #expect(Self.attributes(span)["messaging.message.id"] == id)
            #expect(span["parentSpanId"] == nil)
            _ = directory
        }
    }

    /// The spans in Python's JSON-lines file once `done` holds for them.
    private static func pythonSpans(in path: String, until done: @escaping @Sendable ([[String: Any]]) -> Bool)
        async throws -> [[String: Any]]
    {
        try await eventually("Python's spans are written", seconds: 60) { done(readSpans(path)) }
        return readSpans(path)
    }

    private static func readSpans(_ path: String) -> [[String: Any]] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// opentelemetry-sdk writes IDs as `0x…` hex; OTLP/JSON as bare hex.
    private static func hex(_ value: Any?) -> String? {
        guard let text = value as? String else { return nil }
        return text.hasPrefix("0x") ? String(text.dropFirst(2)) : text
    }

    private static func attributes(_ span: [String: Any]) -> [String: String] {
        var result: [String: String] = [:]
        for attribute in span["attributes"] as? [[String: Any]] ?? [] {
            guard let key = attribute["key"] as? String, let value = attribute["value"] as? [String: Any] else { continue }
            result[key] = value["stringValue"] as? String ?? value["intValue"] as? String
        }
        return result
    }
}

/// The Python side of the tracing tests: taskiq-redis and taskiq's OpenTelemetry middleware with the SDK, in `.venv`.
enum OpenTelemetryPython {
    static let skipMessage = "Python taskiq-redis with opentelemetry-sdk is not installed in .venv; run `bash scripts/install-peers.sh`"

    /// Whether `.venv` has taskiq-redis and taskiq's OpenTelemetry middleware with the SDK.
    static let hasPeer: Bool = {
        guard FileManager.default.isExecutableFile(atPath: RedisPython.python.path) else { return false }
        let process = RedisPython.makeProcess(
            [
                "-c", "import importlib.util, sys; sys.exit(0 if all(importlib.util.find_spec(m) for m in sys.argv[1:]) else 1)",
                "taskiq_redis", "opentelemetry.sdk", "psutil", "taskiq",
            ],
            environment: [:])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()
}
