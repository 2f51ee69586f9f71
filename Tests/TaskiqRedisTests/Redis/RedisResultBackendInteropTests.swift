import Foundation
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqRedis

/// Results shared with Python taskiq-redis `RedisAsyncResultBackend(url, serializer=JSONSerializer())`
/// through `Peers/redis_result_peer.py`. Without the peer the tests are skipped, except under CI
/// (environment variable `CI` set), where they fail.
@Suite(.enabled(if: RedisServer.shouldRun && RedisResultPeer.shouldRun, "\(RedisResultPeer.skipMessage)"))
struct RedisResultBackendInteropTests {
    @Test func pythonReadsAResultSwiftStored() async throws {
        guard RedisResultPeer.requirePeer() else { return }
        try await RedisServer.with { server in
            let backend = try RedisResultBackendTests.backend(server, prefix: "interop")
            try await backend.setResult(RedisResultBackendTests.success, for: "from-swift")
            let peer = try PythonPeer(script: "redis_result_peer.py", ["read", server.url, "from-swift", "interop"])
            let line = try await peer.line(startingWith: "result ")
            let result = try JSONValue(parsing: String(line.dropFirst("result ".count)))
            #expect(result.objectValue?["return_value"] == 3)
            #expect(result.objectValue?["labels"] == ["mylabel": 1])
            #expect(result.objectValue?["is_err"] == false)
            #expect(try await peer.waitForExit() == 0, "\(peer.stderr)")
        }
    }

    @Test func swiftReadsResultsPythonStored() async throws {
        guard RedisResultPeer.requirePeer() else { return }
        try await RedisServer.with { server in
            let backend = try RedisResultBackendTests.backend(server)
            // Python workers do not announce results: the waiter finds this one by polling.
            let waiter = Task { try await backend.waitResult("py-ok", timeout: .seconds(30), withLogs: false) }
            for (id, kind) in [("py-ok", "ok"), ("py-err", "error")] {
                let peer = try PythonPeer(script: "redis_result_peer.py", ["write", server.url, id, kind])
                _ = try await peer.line(startingWith: "written")
                #expect(try await peer.waitForExit() == 0, "\(peer.stderr)")
            }
            let ok = try await withTimeout(seconds: 30) { try await waiter.value }
            #expect(ok.returnValue == 3 && ok.labels == ["mylabel": 1] && ok.executionTime == 0.25 && !ok.isErr)

            let failed = try await backend.getResult("py-err", withLogs: false)
            #expect(failed.isErr)
            let error = try #require(failed.error)
            #expect(error.name == "ValueError")
            #expect(error.module == "builtins")
            #expect(error.arguments == ["bad value", 7])
            #expect(error.message == "bad value, 7")
        }
    }

    @Test func pythonDecodesTheCancelledError() async throws {
        guard RedisResultPeer.requirePeer() else { return }
        try await RedisServer.with { server in
            let backend = try RedisResultBackendTests.backend(server)
            let cancelled = TaskiqResult<JSONValue>(
                isErr: true, returnValue: .null, executionTime: 0.1, labels: [:],
                error: .cancelled)
            try await backend.setResult(cancelled, for: "cancelled")
            let peer = try PythonPeer(script: "redis_result_peer.py", ["error", server.url, "cancelled"])
            let line = try await peer.line(startingWith: "error ")
            let described = try JSONValue(parsing: String(line.dropFirst("error ".count)))
            #expect(described == ["TaskCancelledError", "taskiq.exceptions", ["the task was cancelled by request"], true])
            #expect(try await peer.waitForExit() == 0, "\(peer.stderr)")
        }
    }

    @Test func pythonReadsProgressSwiftStored() async throws {
        guard RedisResultPeer.requirePeer() else { return }
        try await RedisServer.with { server in
            let backend = try RedisResultBackendTests.backend(server)
            try await backend.setProgress(TaskProgress(state: "STARTED", meta: ["pct": 50]), for: "prog")
            let peer = try PythonPeer(script: "redis_result_peer.py", ["progress", server.url, "prog"])
            let line = try await peer.line(startingWith: "progress ")
            #expect(try JSONValue(parsing: String(line.dropFirst("progress ".count))) == ["state": "STARTED", "meta": ["pct": 50]])
            #expect(try await peer.waitForExit() == 0, "\(peer.stderr)")
        }
    }
}

/// Whether the venv has taskiq-redis, checked once.
enum RedisResultPeer {
    static let installHint = "bash scripts/install-peers.sh"
    static let skipMessage = "Python taskiq-redis is not installed in .venv; run `\(installHint)` to run the interop tests"

    static let isInstalled: Bool = {
        guard FileManager.default.isExecutableFile(atPath: PythonPeer.python.path) else { return false }
        let process = Process()
        process.executableURL = PythonPeer.python
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

    /// Runs unless the peer is missing outside CI.
    static var shouldRun: Bool { isInstalled || PythonPeer.isCI }

    /// Records a failure when the peer is missing (only reached under CI); `true` when present.
    static func requirePeer() -> Bool {
        if !isInstalled {
            Issue.record("taskiq-redis peer missing at \(PythonPeer.python.path) while CI is set; install it with: \(installHint)")
        }
        return isInstalled
    }
}
