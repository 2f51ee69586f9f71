import Foundation
import Synchronization
import Taskiq
import TaskiqRedis

/// A six-node Redis Cluster (three masters, three replicas), each a private `redis-server` with
/// `--cluster-enabled yes` on a free loopback port, joined by `redis-cli --cluster create`.
///
/// ```swift
/// try await RedisClusterGroup.with { cluster in
///     let client = RedisClient(configuration: try RedisConfiguration(url: cluster.url))
///     ...
/// }
/// ```
package final class RedisClusterGroup: Sendable {
    /// The six nodes, in the order given to `redis-cli --cluster create` (the first three become
    /// the masters).
    package let nodes: [RedisServer]

    private init(nodes: [RedisServer]) {
        self.nodes = nodes
    }

    /// Where `redis-cli` is, if installed (Debian's `redis-tools`).
    package static let redisCLI: String? = ["/usr/bin/redis-cli", "/usr/local/bin/redis-cli"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// `redis+cluster://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3`: the masters as seeds.
    package var url: String {
        "redis+cluster://" + nodes.prefix(3).map { "127.0.0.1:\($0.port)" }.joined(separator: ",")
    }

    /// Starts a cluster, runs `body`, and stops every node whether `body` throws or not.
    package static func with<T: Sendable>(_ body: (RedisClusterGroup) async throws -> T) async throws -> T {
        let group = try await start()
        do {
            let result = try await body(group)
            await group.stop()
            return result
        } catch {
            await group.stop()
            throw error
        }
    }

    /// Starts six nodes, creates the cluster and waits until every node reports `cluster_state:ok`.
    package static func start() async throws -> RedisClusterGroup {
        guard let redisCLI else {
            throw RedisServer.StartError(description: "redis-cli is not installed; run scripts/install-peers.sh (apt-get install redis-tools)")
        }
        var nodes: [RedisServer] = []
        do {
            for _ in 0..<6 {
                nodes.append(try await RedisServer.start(arguments: [
                    "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000",
                ]))
            }
            let output = try await Self.run(redisCLI, ["--cluster", "create"] + nodes.map { "127.0.0.1:\($0.port)" }
                + ["--cluster-replicas", "1", "--cluster-yes"])
            guard output.status == 0 else {
                throw RedisServer.StartError(description: "redis-cli --cluster create failed: \(output.text.suffix(800))")
            }
            for node in nodes {
                try await eventually("node \(node.port) reports cluster_state:ok", seconds: 60, every: .milliseconds(100)) {
                    let info = try? await Self.command(["CLUSTER", "INFO"], port: node.port).string
                    return info?.contains("cluster_state:ok") == true
                }
            }
            return RedisClusterGroup(nodes: nodes)
        } catch {
            for node in nodes { await node.stop() }
            throw error
        }
    }

    /// Stops every node and removes their directories.
    package func stop() async {
        for node in nodes { await node.stop() }
    }

    /// Runs `redis-cli` with `arguments` (`--cluster reshard …`), returning its exit status and output.
    package func redisCLI(_ arguments: [String]) async throws -> (status: Int32, text: String) {
        try await Self.run(Self.redisCLI ?? "redis-cli", arguments)
    }

    /// Sends one command to 127.0.0.1:`port` on a connection of its own (RESP2).
    package static func command(_ command: [any RESPArgument], port: Int) async throws -> RESPValue {
        let connection = try await RedisConnection.connect(
            RedisConfiguration(port: port, protocolVersion: .resp2, connectTimeout: .seconds(2), commandTimeout: .seconds(10)))
        defer { connection.close() }
        return try await connection.send(command)
    }

    /// Runs a program to its end on a thread of its own (not the cooperative pool), output and
    /// errors together.
    private static func run(_ path: String, _ arguments: [String]) async throws -> (status: Int32, text: String) {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                do {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: path)
                    process.arguments = arguments
                    let pipe = Pipe()
                    process.standardOutput = pipe
                    process.standardError = pipe
                    process.standardInput = FileHandle.nullDevice
                    try process.run()
                    let data = pipe.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    continuation.resume(returning: (process.terminationStatus, String(decoding: data, as: UTF8.self)))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.start()
        }
    }
}
