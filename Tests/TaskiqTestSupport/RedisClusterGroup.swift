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
    /// How the nodes speak TLS (to clients, to each other and to their replicas); `nil` for plain TCP.
    package let tls: RedisServer.TLS?

    private init(nodes: [RedisServer], tls: RedisServer.TLS?) {
        self.nodes = nodes
        self.tls = tls
    }

    /// Where `redis-cli` is, if installed (Debian's `redis-tools`).
    package static let redisCLI: String? = ["/usr/bin/redis-cli", "/usr/local/bin/redis-cli"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// `redis+cluster://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3`: the masters as seeds; over TLS
    /// `rediss+cluster://…?ssl_cert_reqs=required&ssl_ca_certs=<ca>`.
    package var url: String {
        let seeds = nodes.prefix(3).map { "127.0.0.1:\($0.port)" }.joined(separator: ",")
        guard let tls else { return "redis+cluster://" + seeds }
        return "rediss+cluster://\(seeds)?ssl_cert_reqs=required&ssl_ca_certs=\(tls.caFile)"
    }

    /// Starts a cluster, runs `body`, and stops every node whether `body` throws or not.
    package static func with<T: Sendable>(
        tls: RedisServer.TLS? = nil,
        _ body: (RedisClusterGroup) async throws -> T
    ) async throws -> T {
        let group = try await start(tls: tls)
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
    package static func start(tls: RedisServer.TLS? = nil) async throws -> RedisClusterGroup {
        guard let redisCLI else {
            throw RedisServer.StartError(
                description: "redis-cli is not installed; run scripts/install-peers.sh (apt-get install redis-tools)")
        }
        var nodes: [RedisServer] = []
        do {
            for _ in 0..<6 {
                let tlsArguments = tls == nil ? [] : ["--tls-cluster", "yes", "--tls-replication", "yes"]
                // The bus port is a free port of its own, not port + 10000, which may be anything's.
                nodes.append(
                    try await RedisServer.start(
                        arguments: [
                            "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000",
                            "--cluster-port", String(try RedisServer.freePort()),
                        ] + tlsArguments, tls: tls))
            }
            let output = try await Self.run(
                redisCLI,
                Self.cliTLS(tls) + ["--cluster", "create"] + nodes.map { "127.0.0.1:\($0.port)" }
                    + ["--cluster-replicas", "1", "--cluster-yes"])
            guard output.status == 0 else {
                throw RedisServer.StartError(description: "redis-cli --cluster create failed: \(output.text.suffix(800))")
            }
            for node in nodes {
                try await eventually("node \(node.port) reports cluster_state:ok", seconds: 60, every: .milliseconds(100)) {
                    let info = try? await Self.command(["CLUSTER", "INFO"], port: node.port, tls: tls).string
                    return info?.contains("cluster_state:ok") == true
                }
            }
            return RedisClusterGroup(nodes: nodes, tls: tls)
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
        try await Self.run(Self.redisCLI ?? "redis-cli", Self.cliTLS(tls) + arguments)
    }

    /// `redis-cli`'s options for a TLS cluster: `--tls --cacert <ca>` (and the client's pair when
    /// the nodes require one).
    private static func cliTLS(_ tls: RedisServer.TLS?) -> [String] {
        guard let tls else { return [] }
        var options = ["--tls", "--cacert", tls.caFile]
        if tls.requireClientCertificate, let client = try? TLSCertificates.shared().client {
            options += ["--cert", client.certFile, "--key", client.keyFile]
        }
        return options
    }

    /// Sends one command to the node at 127.0.0.1:`port` on a connection of its own (RESP2).
    package func command(_ command: [any RESPArgument], port: Int) async throws -> RESPValue {
        try await Self.command(command, port: port, tls: tls)
    }

    /// Sends one command to 127.0.0.1:`port` on a connection of its own (RESP2), over TLS
    /// trusting `tls`'s CA when given.
    package static func command(_ command: [any RESPArgument], port: Int, tls: RedisServer.TLS? = nil) async throws -> RESPValue {
        var configuration = RedisConfiguration(
            port: port, protocolVersion: .resp2, connectTimeout: .seconds(2),
            commandTimeout: .seconds(10))
        if let tls { configuration.tls = TLSConfiguration(caFile: tls.caFile) }
        let connection = try await RedisConnection.connect(configuration)
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
