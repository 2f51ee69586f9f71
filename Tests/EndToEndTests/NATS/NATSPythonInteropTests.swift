import Foundation
import Taskiq
import TaskiqRedis
import TaskiqTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Swift and Python taskiq-nats 0.7.0 on one nats-server and one Redis result backend, both
/// ways, through the shipped `taskiq-run`: core NATS with the queue group `taskiq_workers` on both
/// sides, and JetStream through the shared durable pull consumer `taskiq_durable`; positional and
/// keyword arguments and labels (a non-ASCII one among them). Each side reads the other's results
/// from Redis (taskiq-redis's JSON form), and the results carry the labels the worker saw.
///
/// Core NATS keeps nothing: a task published before the worker's queue subscription exists is
/// lost, so the tests wait for that subscription in nats-server's `/connz` before kicking.
@Suite(
    .enabled(if: PythonPeer.shouldRunTaskiqNATS, PythonPeer.taskiqNATSSkipMessage),
    .enabled(if: NATSServer.shouldRun, NATSServer.skipMessage),
    .enabled(if: RedisServer.shouldRun && RedisPython.shouldRun, "\(RedisPython.skipMessage)"))
struct NATSPythonInteropTests {
    /// Which taskiq-nats broker both sides use.
    enum Flavor: String, CaseIterable, Sendable, CustomTestStringConvertible {
        /// `NatsBroker(queue="taskiq_workers")` and the `nats` broker with `"queue": "taskiq_workers"`.
        case core
        /// `PullBasedJetStreamBroker` and the `nats_jetstream` broker, with their shared defaults.
        case jetStream

        static let queue = "taskiq_workers"

        var testDescription: String { rawValue }

        /// The `broker` section of the Swift config.
        func swiftBroker(url: String) -> String {
            switch self {
            case .core: #"{"type": "nats", "url": "\#(url)", "queue": "\#(Self.queue)"}"#
            case .jetStream: #"{"type": "nats_jetstream", "url": "\#(url)"}"#
            }
        }

        /// `nats_tasks.py`'s environment for this broker.
        func pythonEnvironment(url: String) -> [String: String] {
            switch self {
            case .core: ["NATS_URL": url, "NATS_BROKER": "core", "NATS_QUEUE": Self.queue]
            case .jetStream: ["NATS_URL": url, "NATS_BROKER": "jetstream"]
            }
        }
    }

    static func config(_ flavor: Flavor, nats: NATSServer, redis: RedisServer) throws -> (TemporaryConfigDirectory, String) {
        let directory = try TemporaryConfigDirectory(files: [
            "nats.json": """
            {"broker": \(flavor.swiftBroker(url: nats.url)),
             "result_backend": {"type": "redis", "url": "\(redis.url)"},
             "tasks": {"modules": ["examples"]},
             "worker": {"workers": 1, "shutdown_timeout": 10, "log_level": "debug"}}
            """
        ])
        return (directory, directory.path("nats.json"))
    }

    /// Fails the test when taskiq-nats is missing (only reached under CI); `true` when present.
    static func requireNATSPeer() -> Bool {
        if !PythonPeer.hasTaskiqNATS {
            Issue.record("Python taskiq-nats missing in .venv while CI is set; run scripts/install-peers.sh")
        }
        return PythonPeer.hasTaskiqNATS && RedisPython.requirePeer()
    }

    /// Waits until some connection holds a subscription to `subject` in queue group `queue`
    /// (nats-server's `/connz?subs=detail`).
    static func waitForQueueSubscription(
        _ server: NATSServer, subject: String = "taskiq_tasks", queue: String,
        log: @escaping @Sendable () -> [String]
    ) async throws {
        do {
            try await eventually("a subscription to \(subject) in queue group \(queue)", seconds: 60, every: .milliseconds(50)) {
                let connections = try server.monitoring("/connz?subs=detail")["connections"] as? [[String: Any]] ?? []
                return connections.contains { connection in
                    (connection["subscriptions_list_detail"] as? [[String: Any]] ?? []).contains {
                        $0["subject"] as? String == subject && $0["qgroup"] as? String == queue
                    }
                }
            }
        } catch {
            let connz = (try? server.monitoring("/connz?subs=detail")).map { "\($0)" } ?? "unavailable"
            Issue.record("\(error); /connz: \(connz)\nlog:\n\(log().suffix(40).joined(separator: "\n"))")
            throw error
        }
    }

    @Test(arguments: Flavor.allCases)
    func pythonKicksASwiftWorkerRunsAndPythonReadsTheResults(_ flavor: Flavor) async throws {
        guard Self.requireNATSPeer() else { return }
        try await NATSServer.with(monitoring: true) { nats in
            try await RedisServer.with { redis in
                let (directory, file) = try Self.config(flavor, nats: nats, redis: redis)
                let worker = try RunningProcess(["worker", "-c", file])
                var exited = false
                defer { if !exited { killProcessTree(worker.pid) } }  // its worker child too, when the test failed early
                try await worker.waitForLine(containing: "worker ready")
                if flavor == .core {
                    try await Self.waitForQueueSubscription(nats, queue: Flavor.queue) { worker.lines }
                }
                let kick = try await RedisPython.run(
                    ["nats_kick.py"],
                    environment: flavor.pythonEnvironment(url: nats.url).merging(["REDIS_URL": redis.url]) { $1 })
                #expect(kick.status == 0, "\(kick.stdout)\n\(kick.stderr)\n\(worker.lines.suffix(20).joined(separator: "\n"))")
                var results: [String: (id: String, value: String)] = [:]
                for line in kick.stdout.split(separator: "\n") where line.hasPrefix("result ") {
                    let parts = line.split(separator: " ")
                    guard parts.count == 5 else { continue }
                    results[String(parts[1])] = (String(parts[2]), String(parts[3]))
                }
                #expect(results["positional"]?.value == "3", "\(kick.stdout)")
                #expect(results["keywords"]?.value == "7", "\(kick.stdout)")
                #expect(results["labels"]?.value == "11", "\(kick.stdout)")

                // The Swift worker ran each one, and stored the labels it received from Python.
                let ids = results.values.map(\.id)
                _ = try await worker.waitFor("the Swift worker logged all three as succeeded") { lines in
                    Set(ids).isSubset(of: Set(RedisWorkerProcessTests.succeeded(lines))) ? true : nil
                }
                let backend = try RedisResultBackend(url: redis.url)
                if let id = results["labels"]?.id {
                    let stored = try await backend.getResult(id, withLogs: false)
                    #expect(!stored.isErr && stored.returnValue == .int(11), "\(stored)")
                    #expect(stored.labels["custom"] == .string("é ✓"), "\(stored.labels)")
                    #expect(stored.labels["priority"] == .int(5), "taskiq's labels_types made it an int again: \(stored.labels)")
                }
                if let id = results["keywords"]?.id {
                    let stored = try await backend.getResult(id, withLogs: false)
                    #expect(!stored.isErr && stored.returnValue == .int(7) && stored.labels["custom"] == nil, "\(stored)")
                }
                try await backend.shutdown()

                worker.signal(SIGTERM)
                #expect(try await worker.waitForExit() == 0, "\(worker.lines.suffix(20).joined(separator: "\n"))")
                exited = true
                _ = directory
            }
        }
    }

    @Test(arguments: Flavor.allCases)
    func swiftKicksAPythonWorkerRunsAndSwiftReadsTheResults(_ flavor: Flavor) async throws {
        guard Self.requireNATSPeer() else { return }
        try await NATSServer.with(monitoring: true) { nats in
            try await RedisServer.with { redis in
                let (directory, file) = try Self.config(flavor, nats: nats, redis: redis)
                let effects = directory.url.appendingPathComponent("effects")
                try FileManager.default.createDirectory(at: effects, withIntermediateDirectories: true)
                let worker = try PythonTaskiqPeer.worker(
                    broker: "nats_tasks:broker",
                    environment: flavor.pythonEnvironment(url: nats.url).merging(["REDIS_URL": redis.url, "SIDE_EFFECT_DIR": effects.path])
                    { $1 })
                var killed = false
                defer { if !killed { killProcessTree(worker.process.pid) } }  // taskiq's worker child too
                try await worker.waitUntilListening()
                if flavor == .core {
                    try await Self.waitForQueueSubscription(nats, queue: Flavor.queue) { worker.process.lines }
                }
                let cases: [(arguments: [String], sum: Int)] = [
                    (["1", "2"], 3),
                    (["a=3", "b=4"], 7),
                    (["-l", "custom=é ✓", "-l", "priority=5", "5", "6"], 11),
                ]
                for item in cases {
                    let id = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
                    let kick = try await TaskiqRunProcess.run(
                        ["kick", "-c", file, "examples.add"] + item.arguments + ["--task-id", id, "--wait", "--timeout", "60"],
                        seconds: 90)
                    #expect(
                        kick.status == 0, "\(item.arguments): \(kick.stderr)\n\(worker.process.lines.suffix(30).joined(separator: "\n"))")
                    #expect(kick.stdout == "\(item.sum)\n", "\(item.arguments) printed \(kick.stdout)")
                    let effect = try String(contentsOf: effects.appendingPathComponent(id), encoding: .utf8)
                    #expect(effect.contains(#""sum": \#(item.sum)"#), "\(effect)")
                    if item.arguments.contains("custom=é ✓") {
                        #expect(effect.contains(#""custom": "é ✓""#) && effect.contains(#""priority": 5"#), "\(effect)")
                    } else {
                        #expect(effect.contains(#""labels": {}"#), "\(effect)")
                    }
                }
                killProcessTree(worker.process.pid)
                killed = true
                _ = try await worker.process.waitForExit()
                _ = directory
            }
        }
    }
}
