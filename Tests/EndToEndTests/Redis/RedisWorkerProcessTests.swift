import Foundation
import Synchronization
import Taskiq
import TaskiqExamples
import TaskiqRedis
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig

#if canImport(Glibc)
import Glibc
#endif

/// `taskiq-run worker` processes on the `redis_stream` broker against a real redis-server:
/// a worker killed with SIGKILL mid-burst loses nothing, and a Redis restart mid-run is survived,
/// over plain TCP and over TLS (where every reconnect is a new handshake).
@Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage), .serialized)
struct RedisWorkerProcessTests {
    static func config(_ server: RedisServer, maxAsyncTasks: Int = 20) throws -> (TemporaryConfigDirectory, String) {
        let directory = try TemporaryConfigDirectory(files: [
            "redis.json": """
            {"broker": {"type": "redis_stream", "url": "\(server.url)", "xread_block": 500, "xread_count": 50,
                        "lease_ttl": 1, "lease_renew_interval": 0.2},
             "result_backend": {"type": "dummy"},
             "tasks": {"modules": ["examples"]},
             "worker": {"workers": 1, "max_async_tasks": \(maxAsyncTasks), "shutdown_timeout": 10, "log_level": "debug"}}
            """
        ])
        return (directory, directory.path("redis.json"))
    }

    /// Task IDs of "task succeeded" debug lines, with repeats.
    static func succeeded(_ lines: [String]) -> [String] {
        lines.filter { $0.contains("task succeeded") }.compactMap { line in
            guard let start = line.range(of: "task_id=") else { return nil }
            return String(line[start.upperBound...].prefix { $0.isHexDigit })
        }
    }

    /// Kicks `count` `examples.sleep` tasks at once through the configured broker.
    static func kick(_ system: TaskiqSystem, count: Int, seconds: Double = 0.005) async throws -> [String] {
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<count { group.addTask { try await system.kick("examples.sleep", args: [.double(seconds)]) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test(arguments: RedisServer.Transport.allCases.filter(\.isAvailable))
    func aWorkerKilledMidBurstLosesNothing(transport: RedisServer.Transport) async throws {
        try await RedisServer.with(tls: transport.serverTLS()) { server in try await Self.killMidBurst(server) }
    }

    static func killMidBurst(_ server: RedisServer) async throws {
        let (directory, file) = try config(server)
        let first = try RunningProcess(["worker", "-c", file])
        try await first.waitForLine(containing: "worker ready")
        let system = try TaskiqSystem.load(file, modules: [ExampleTasks.module], environment: [:])
        try await system.startup()
        // 1,000 × 50 ms over 20 slots keeps the first worker busy for 2.5 s: it dies mid-burst.
        let kicked = Set(try await kick(system, count: 1000, seconds: 0.05))
        #expect(kicked.count == 1000)
        _ = try await first.waitFor("100 tasks done") { lines in succeeded(lines).count >= 100 ? true : nil }
        first.signal(SIGKILL)
        _ = try await first.waitForExit()
        let beforeKill = succeeded(first.lines)

        let clock = ContinuousClock.now
        let second = try RunningProcess(["worker", "-c", file])
        let all = try await second.waitFor("every task done", seconds: 60) { lines -> [String]? in
            let done = beforeKill + succeeded(lines)
            return kicked.isSubset(of: Set(done)) ? done : nil
        }
        let elapsed = clock.duration(to: .now)
        try await second.waitForLine(containing: "worker ready")
        let claimed = second.lines.filter { $0.contains("claimed") }
        print(
            "SIGKILL after \(beforeKill.count) of 1000 done; all done \(elapsed) after the second worker started; "
                + "\(all.count - Set(all).count) ran twice; \(claimed.count) claim log lines")
        #expect(Set(all) == kicked)
        #expect(!claimed.isEmpty, "the second worker claimed the dead worker's entries")
        second.signal(SIGTERM)
        #expect(try await second.waitForExit() == 0)
        let client = RedisClient(configuration: try RedisConfiguration(url: server.url))
        #expect(try await client.send(["XPENDING", "taskiq", "taskiq"]).array?.first?.int == 0, "nothing left pending")
        client.close()
        try await system.shutdown()
        _ = directory
    }

    @Test(arguments: RedisServer.Transport.allCases.filter(\.isAvailable))
    func workersAndProducersCarryOnAcrossARedisRestart(transport: RedisServer.Transport) async throws {
        // Append-only with fsync per write, so what Redis acknowledged survives the restart.
        try await RedisServer.with(arguments: ["--appendonly", "yes", "--appendfsync", "always"], tls: transport.serverTLS()) { server in
            try await Self.restartMidRun(server)
        }
    }

    static func restartMidRun(_ server: RedisServer) async throws {
        let (directory, file) = try config(server, maxAsyncTasks: 10)
        let worker = try RunningProcess(["worker", "-c", file])
        try await worker.waitForLine(containing: "worker ready")
        let system = try TaskiqSystem.load(file, modules: [ExampleTasks.module], environment: [:])
        try await system.startup()

        var kicked = Set(try await kick(system, count: 200, seconds: 0.02))
        _ = try await worker.waitFor("the first tasks done") { lines in succeeded(lines).count >= 50 ? true : nil }
        await server.pause()
        try await server.resume()
        // Producers reconnect on their own: a kick right after the restart goes through.
        kicked.formUnion(try await kick(system, count: 200))
        let expected = kicked
        _ = try await worker.waitFor("every task kicked before and after the restart done", seconds: 60) { lines in
            expected.isSubset(of: Set(succeeded(lines))) ? true : nil
        }
        let done = succeeded(worker.lines)
        print("Redis restart: \(kicked.count) kicked, \(Set(done).count) done, \(done.count - Set(done).count) ran twice")
        worker.signal(SIGTERM)
        #expect(try await worker.waitForExit() == 0)
        try await system.shutdown()
        _ = directory
    }
}
