import Foundation
import Taskiq
import TaskiqExamples
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig

#if canImport(Glibc)
import Glibc
#endif

/// `taskiq-run worker` with a `metrics` section, scraped by a real Prometheus server whose query
/// API must return the series of the tasks run: one worker, then a supervisor of two worker
/// processes serving their sum; and a worker whose metrics port is attacked keeps running tasks.
@Suite(.enabled(if: PrometheusServer.shouldRun && RedisServer.shouldRun, PrometheusServer.skipMessage), .serialized)
struct MetricsProcessTests {
    static func config(_ server: RedisServer, metricsPort: UInt16, workers: Int = 1) throws -> (TemporaryConfigDirectory, String) {
        let directory = try TemporaryConfigDirectory(files: [
            "metrics.json": """
            {"broker": {"type": "redis_stream", "url": "\(server.url)", "xread_block": 200, "queue_name": "metrics"},
             "result_backend": {"type": "redis", "url": "\(server.url)"},
             "tasks": {"modules": ["examples"]},
             "worker": {"workers": \(workers), "shutdown_timeout": 10},
             "metrics": {"listen": "127.0.0.1:\(metricsPort)"}}
            """
        ])
        return (directory, directory.path("metrics.json"))
    }

    /// Kicks `count` `examples.add` and one `examples.fail`, and waits for every result.
    static func runTasks(_ file: String, count: Int) async throws {
        let system = try TaskiqSystem.load(file, modules: [ExampleTasks.module], environment: [:])
        try await system.startup()
        for index in 0..<count {
            let id = try await system.kick("examples.add", args: [.int(index), .int(1)])
            let result = try await system.waitResult(id, timeout: .seconds(30))
            #expect(!result.isErr)
        }
        let failing = try await system.kick("examples.fail", args: [])
        let failed = try await system.waitResult(failing, timeout: .seconds(30))
        #expect(failed.isErr)
        try await system.shutdown()
    }

    @Test func prometheusScrapesAWorker() async throws {
        try await RedisServer.with { server in
            let port = freeLoopbackPort()
            let (directory, file) = try Self.config(server, metricsPort: port)
            _ = directory
            let worker = try RunningProcess(["worker", "-c", file])
            defer { worker.signal(SIGKILL) }
            try await worker.waitForLine(containing: "worker ready")
            let prometheus = try await PrometheusServer.start(targets: ["127.0.0.1:\(port)"])
            try await Self.runTasks(file, count: 3)
            do {
                try await prometheus.waitForValue(#"success_tasks_total{task_name="examples.add"}"#) { $0 == 3 }
                try await prometheus.waitForValue(#"received_tasks_total{task_name="examples.add"}"#) { $0 == 3 }
                try await prometheus.waitForValue(#"saved_results_total{task_name="examples.add"}"#) { $0 == 3 }
                try await prometheus.waitForValue(#"found_errors_total{task_name="examples.fail"}"#) { $0 == 1 }
                try await prometheus.waitForValue(#"execution_time_count{task_name="examples.add"}"#) { $0 == 3 }
                try await prometheus.waitForValue(#"execution_time_bucket{task_name="examples.add",le="+Inf"}"#) { $0 == 3 }
                try await prometheus.waitForValue(#"taskiq_deliveries_total{broker="default"}"#) { $0 == 4 }
                try await prometheus.waitForValue(#"taskiq_tasks_in_flight{broker="default"}"#) { $0 == 0 }
                try await prometheus.waitForValue(#"taskiq_queue_depth{broker="default",queue="metrics"}"#) { $0 == 0 }
                try await prometheus.waitForValue("process_resident_memory_bytes") { $0 > 1_000_000 }
                try await prometheus.waitForValue("process_open_fds") { $0 > 3 }
                try await prometheus.waitForValue(#"up{job="taskiq"}"#) { $0 == 1 }
            } catch {
                Issue.record("\(error); worker log: \(worker.lines.suffix(20))")
            }
            await prometheus.stop()
            worker.signal(SIGTERM)
            #expect(try await worker.waitForExit(seconds: 30) == 0)
        }
    }

    @Test func prometheusScrapesASupervisorOfTwoWorkers() async throws {
        try await RedisServer.with { server in
            let port = freeLoopbackPort()
            let (directory, file) = try Self.config(server, metricsPort: port, workers: 2)
            _ = directory
            let supervisor = try RunningProcess(["worker", "-c", file])
            defer { supervisor.signal(SIGKILL) }
            _ = try await supervisor.waitFor("two workers ready") { lines in
                lines.filter { $0.contains("worker ready") }.count >= 2 ? true : nil
            }
            let prometheus = try await PrometheusServer.start(targets: ["127.0.0.1:\(port)"])
            try await Self.runTasks(file, count: 6)
            do {
                try await prometheus.waitForValue("taskiq_worker_processes_scraped") { $0 == 2 }
                try await prometheus.waitForValue(#"success_tasks_total{task_name="examples.add"}"#) { $0 == 6 }
                try await prometheus.waitForValue(#"found_errors_total{task_name="examples.fail"}"#) { $0 == 1 }
                try await prometheus.waitForValue(#"execution_time_count{task_name="examples.add"}"#) { $0 == 6 }
                try await prometheus.waitForValue(#"taskiq_deliveries_total{broker="default"}"#) { $0 == 7 }
                try await prometheus.waitForValue("taskiq_supervisor_process_resident_memory_bytes") { $0 > 0 }
                // A worker that dies leaves the endpoint answering; its replacement is scraped again.
                let victim = try #require(supervisor.lines.first { $0.contains("worker ready") }.flatMap(loggedPID))
                kill(victim, SIGKILL)
                let answer = await LoopbackHTTP.fetch(port: port, path: "/metrics")
                #expect(answer?.status == 200)
                _ = try await supervisor.waitFor("a replacement worker") { lines in
                    lines.filter { $0.contains("worker ready") }.count >= 3 ? true : nil
                }
                try await prometheus.waitForValue("taskiq_worker_processes_scraped") { $0 == 2 }
            } catch {
                Issue.record("\(error); supervisor log: \(supervisor.lines.suffix(20))")
            }
            await prometheus.stop()
            supervisor.signal(SIGTERM)
            #expect(try await supervisor.waitForExit(seconds: 60) == 0)
        }
    }

    @Test func theSchedulerServesItsMetrics() async throws {
        let port = freeLoopbackPort()
        let directory = try TemporaryConfigDirectory(files: [
            "scheduler.json": """
            {"broker": {"type": "inmemory"}, "tasks": {"modules": ["examples"]},
             "metrics": {"listen": "127.0.0.1:\(port)"}}
            """
        ])
        let scheduler = try RunningProcess(["scheduler", "-c", directory.path("scheduler.json")])
        defer { scheduler.signal(SIGKILL) }
        try await scheduler.waitForLine(containing: "scheduler ready")
        let scrape = await LoopbackHTTP.fetch(port: port, path: "/metrics")
        #expect(scrape?.status == 200)
        #expect(scrape?.body.contains("taskiq_scheduler_lease_renewals_total 0.0\n") == true)
        #expect(scrape?.body.contains("# TYPE process_open_fds gauge\n") == true)
        let other = await LoopbackHTTP.fetch(port: port, path: "/other")
        #expect(other?.status == 404)
        scheduler.signal(SIGTERM)
        #expect(try await scheduler.waitForExit(seconds: 30) == 0)
    }

    @Test func hostileClientsOnTheMetricsPortDoNotStopTheWorker() async throws {
        try await RedisServer.with { server in
            let port = freeLoopbackPort()
            let (directory, file) = try Self.config(server, metricsPort: port)
            _ = directory
            let worker = try RunningProcess(["worker", "-c", file])
            defer { worker.signal(SIGKILL) }
            try await worker.waitForLine(containing: "worker ready")

            // Slowloris: connections that send a head one byte at a time, never finishing.
            var slow: [TCPConnection] = []
            for _ in 0..<4 {
                let connection = try TCPConnection.connect(host: "127.0.0.1", port: port, timeout: .seconds(5))
                try connection.sendAll(Array("GET /metrics HTTP/1.1\r\nX-A: ".utf8))
                slow.append(connection)
            }
            // Garbage, a huge head and a request body: answered and closed.
            for (payload, status) in [
                (Array("\u{01}\u{02}garbage\r\n\r\n".utf8), 400),
                (Array("GET / HTTP/1.1\r\nX: \(String(repeating: "a", count: 20_000))\r\n\r\n".utf8), 431),
                (Array("POST /metrics HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello".utf8), 400),
            ] {
                let connection = try TCPConnection.connect(host: "127.0.0.1", port: port, timeout: .seconds(5))
                try? connection.sendAll(payload)
                let answer = try await offThePool { LoopbackHTTP.readToEnd(connection, timeout: .seconds(10)).flatMap(LoopbackHTTP.parse) }
                #expect(answer?.status == status)
                connection.close()
            }
            // Meanwhile tasks run and the endpoint answers others.
            try await Self.runTasks(file, count: 5)
            let scrape = await LoopbackHTTP.fetch(port: port, path: "/metrics")
            #expect(scrape?.status == 200)
            #expect(scrape?.body.contains(#"success_tasks_total{task_name="examples.add"} 5.0"#) == true)
            for connection in slow {
                connection.shutdown()
                connection.close()
            }
            worker.signal(SIGTERM)
            #expect(try await worker.waitForExit(seconds: 30) == 0)
        }
    }
}
