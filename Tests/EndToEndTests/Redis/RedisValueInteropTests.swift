import Foundation
import Taskiq
import TaskiqTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Numbers cross between Python taskiq and taskiq for Swift exactly, both ways: integers outside
/// 64 bits keep every digit, `1.0` stays a float, `1` an int, `-0.0` keeps its sign.
///
/// Python's `json` (what taskiq's default serializer is) reads and writes integers of any size, so a
/// Python producer may send `2**64` at any time. Both sides use `redis_list` with a Redis result
/// backend storing JSON.
@Suite(.enabled(if: RedisServer.shouldRun && RedisPython.shouldRun, "\(RedisPython.skipMessage)"), .serialized)
struct RedisValueInteropTests {
    /// The JSON text of each value, as Python's `json.dumps` writes it.
    static let values = [
        "18446744073709551616",  // 2**64
        "-1180591620717411303427",  // -(2**70)-3
        "9223372036854775807",  // 2**63-1
        "-9223372036854775808",  // -(2**63)
        "18446744073709551615",  // 2**64-1
        "123456789012345678901234567890123456789012345678901234567890",
        "1.0",
        "-0.0",
        "1e+308",
        "1",
        "true",
    ]

    static func config(_ server: RedisServer) throws -> (TemporaryConfigDirectory, String) {
        let directory = try TemporaryConfigDirectory(files: [
            "redis.json": """
            {"broker": {"type": "redis_list", "url": "\(server.url)"},
             "result_backend": {"type": "redis", "url": "\(server.url)"},
             "tasks": {"modules": ["examples"]},
             "worker": {"workers": 1, "shutdown_timeout": 10}}
            """
        ])
        return (directory, directory.path("redis.json"))
    }

    @Test func pythonProducerGetsItsValuesBackFromASwiftEcho() async throws {
        guard RedisPython.requirePeer() else { return }
        try await RedisServer.with { server in
            let (directory, file) = try Self.config(server)
            let worker = try RunningProcess(["worker", "-c", file])
            try await worker.waitForLine(containing: "worker ready")
            let run = try await RedisPython.run(
                ["redis_values.py"] + Self.values,
                environment: ["REDIS_URL": server.url, "REDIS_BROKER": "list"])
            #expect(run.status == 0, "\(run.stderr)")
            let lines = run.stdout.split(separator: "\n").map(String.init)
            #expect(lines.count == Self.values.count, "\(run.stdout)\n\(run.stderr)")
            for (sent, line) in zip(Self.values, lines) {
                // "<sent> -> <json.dumps(result)> <type> same": the same text back, same Python type.
                #expect(line.hasPrefix("\(sent) -> \(sent) ") && line.hasSuffix(" same"), "\(line)")
            }
            worker.signal(SIGTERM)
            #expect(try await worker.waitForExit() == 0)
            _ = directory
        }
    }

    @Test func swiftProducerGetsItsValuesBackFromAPythonEcho() async throws {
        guard RedisPython.requirePeer() else { return }
        try await RedisServer.with { server in
            let (directory, file) = try Self.config(server)
            let effects = directory.url.appendingPathComponent("effects")
            try FileManager.default.createDirectory(at: effects, withIntermediateDirectories: true)
            let worker = try RedisPython.start(
                ["-m", "taskiq", "worker", "redis_tasks:broker", "--workers", "1"],
                environment: [
                    "REDIS_URL": server.url, "REDIS_BROKER": "list",
                    "SIDE_EFFECT_DIR": effects.path,
                ])
            defer { if worker.isRunning { kill(worker.processIdentifier, SIGKILL) } }
            for (index, sent) in Self.values.enumerated() {
                let id = "value\(index)"
                let echo = try await TaskiqRunProcess.run(
                    ["kick", "-c", file, "examples.echo", sent, "--wait", "--timeout", "30", "--task-id", id])
                #expect(echo.status == 0, "\(echo.stderr)")
                #expect(echo.stdout == sent + "\n", "echo of \(sent)")
                // What Python itself received, written by the task before it returned.
                let received = try String(contentsOf: effects.appendingPathComponent(id), encoding: .utf8)
                #expect(received == Self.pythonView(of: sent), "Python's view of \(sent)")
            }
            _ = directory
        }
    }

    /// What Python's `f"{type(v).__name__} {v!r}"` prints for `json.loads(text)`.
    static func pythonView(of text: String) -> String {
        switch text {
        case "true": "bool True"
        case "1e+308": "float 1e+308"
        case _ where text.contains("."): "float \(text)"
        default: "int \(text)"
        }
    }
}
