import Foundation
import Taskiq
import TaskiqTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Swift and Python taskiq-redis 1.2.4 sharing a queue, both ways, for the stream and list
/// brokers, over plain TCP and over TLS. Execution is proven by the worker's debug log (Swift)
/// or a side-effect file (Python). Over TLS both sides get the one URL string
/// `rediss://…?ssl_cert_reqs=required&ssl_ca_certs=…` (``RedisServer/url``): redis-py's names,
/// which the Swift config reads too.
///
/// The peer is the venv made by `bash scripts/install-peers.sh`; without it these tests are
/// skipped, except under CI (`CI` set), where they fail.
@Suite(.enabled(if: RedisServer.shouldRun && RedisPython.shouldRun, "\(RedisPython.skipMessage)"), .serialized)
struct RedisPythonInteropTests {
    static let brokers = [(swiftType: "redis_stream", pythonKind: "stream"), (swiftType: "redis_list", pythonKind: "list")]

    static func config(_ server: RedisServer, broker: String) throws -> (TemporaryConfigDirectory, String) {
        let directory = try TemporaryConfigDirectory(files: [
            "redis.json": """
            {"broker": {"type": "\(broker)", "url": "\(server.url)"},
             "result_backend": {"type": "dummy"},
             "tasks": {"modules": ["examples"]},
             "worker": {"workers": 1, "shutdown_timeout": 10, "log_level": "debug"}}
            """
        ])
        return (directory, directory.path("redis.json"))
    }

    @Test(arguments: Self.brokers, RedisServer.Transport.allCases.filter(\.isAvailable))
    func pythonKicksASwiftWorkerRuns(_ broker: (swiftType: String, pythonKind: String), transport: RedisServer.Transport) async throws {
        guard RedisPython.requirePeer() else { return }
        let (swiftType, pythonKind) = broker
        try await RedisServer.with(tls: transport.serverTLS()) { server in
            let (directory, file) = try Self.config(server, broker: swiftType)
            let worker = try RunningProcess(["worker", "-c", file])
            try await worker.waitForLine(containing: "worker ready")
            let kick = try await RedisPython.run(["redis_kick.py"], environment: ["REDIS_URL": server.url, "REDIS_BROKER": pythonKind])
            #expect(kick.status == 0, "\(kick.stderr)")
            let ids = kick.stdout.split(separator: "\n").filter { $0.hasPrefix("kicked ") }.map { String($0.dropFirst(7)) }
            #expect(ids.count == 2, "positional and keyword arguments: \(kick.stdout)")
            for id in ids {
                try await worker.waitForLine(containing: "task succeeded")
                _ = try await worker.waitFor("task \(id) succeeded") { lines in
                    lines.first { $0.contains("task succeeded") && $0.contains(id) && $0.contains("examples.add") }
                }
            }
            worker.signal(SIGTERM)
            #expect(try await worker.waitForExit() == 0)
            _ = directory
        }
    }

    @Test(arguments: Self.brokers, RedisServer.Transport.allCases.filter(\.isAvailable))
    func swiftKicksAPythonWorkerRuns(_ broker: (swiftType: String, pythonKind: String), transport: RedisServer.Transport) async throws {
        guard RedisPython.requirePeer() else { return }
        let (swiftType, pythonKind) = broker
        try await RedisServer.with(tls: transport.serverTLS()) { server in
            let (directory, file) = try Self.config(server, broker: swiftType)
            let effects = directory.url.appendingPathComponent("effects")
            try FileManager.default.createDirectory(at: effects, withIntermediateDirectories: true)
            let worker = try RedisPython.start(
                ["-m", "taskiq", "worker", "redis_tasks:broker", "--workers", "1"],
                environment: [
                    "REDIS_URL": server.url, "REDIS_BROKER": pythonKind,
                    "SIDE_EFFECT_DIR": effects.path,
                ])
            defer { if worker.isRunning { kill(worker.processIdentifier, SIGKILL) } }
            // RunningProcess reads without blocking the cooperative pool (see RedisPython.run).
            let id = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            let kick = try RunningProcess(["kick", "-c", file, "examples.add", "1", "2", "--task-id", id])
            #expect(try await kick.waitForExit() == 0, "\(kick.lines)")
            let result = effects.appendingPathComponent(id)
            try await withTimeout(seconds: 30) {
                while !FileManager.default.fileExists(atPath: result.path) {
                    try await Task.sleep(for: .milliseconds(50))  // polling a file against the deadline
                }
            }
            #expect(try String(contentsOf: result, encoding: .utf8) == "3")
            _ = directory
        }
    }
}

/// The Python taskiq-redis peer in `.venv`.
enum RedisPython {
    static let python = TestPaths.packageRoot.appendingPathComponent(".venv/bin/python")
    static let peers = TestPaths.packageRoot.appendingPathComponent("Tests/Peers")
    static let isCI = ProcessInfo.processInfo.environment["CI"] != nil
    static let skipMessage = "Python taskiq-redis is not installed in .venv; run `bash scripts/install-peers.sh`"

    static let hasPeer: Bool = {
        guard FileManager.default.isExecutableFile(atPath: python.path) else { return false }
        let process = Process()
        process.executableURL = python
        process.arguments = [
            "-c", "import importlib.util, sys; sys.exit(0 if all(importlib.util.find_spec(m) for m in sys.argv[1:]) else 1)", "taskiq",
            "taskiq_redis",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    /// Runs the tests unless the peer is missing outside CI.
    static var shouldRun: Bool { hasPeer || isCI }

    /// Fails the test when the peer is missing (only reached under CI).
    static func requirePeer() -> Bool {
        if !hasPeer { Issue.record("Python taskiq-redis missing at \(python.path) while CI is set: \(skipMessage)") }
        return hasPeer
    }

    static func makeProcess(_ arguments: [String], environment: [String: String]) -> Process {
        let process = Process()
        process.executableURL = python
        process.arguments = ["-u"] + arguments
        process.currentDirectoryURL = peers
        var env = ProcessInfo.processInfo.environment
        env["PYTHONPATH"] = peers.path
        for (key, value) in environment { env[key] = value }
        process.environment = env
        return process
    }

    /// Starts a long-running Python process; its output is discarded.
    static func start(_ arguments: [String], environment: [String: String]) throws -> Process {
        let process = makeProcess(arguments, environment: environment)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Runs a Python script to completion. Output is read on threads of its own, never on the
    /// cooperative pool, which a pipe inherited by a concurrently spawned child could block.
    static func run(_ arguments: [String], environment: [String: String]) async throws -> TaskiqRunProcess.Output {
        let process = makeProcess(arguments, environment: environment)
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let (outputs, output) = AsyncStream<(Int, Data)>.makeStream()
        for (index, pipe) in [out, err].enumerated() {
            Thread {
                output.yield((index, pipe.fileHandleForReading.readDataToEndOfFile()))
            }.start()
        }
        let exited = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { exited.continuation.yield($0.terminationStatus) }
        try process.run()
        return try await withTimeout(seconds: 60) {
            var statuses = exited.stream.makeAsyncIterator()
            let status = await statuses.next() ?? -1
            var texts = ["", ""]
            var received = 0
            for await (index, data) in outputs {
                texts[index] = String(decoding: data, as: UTF8.self)
                received += 1
                if received == 2 { break }
            }
            return TaskiqRunProcess.Output(status: status, stdout: texts[0], stderr: texts[1])
        }
    }
}
