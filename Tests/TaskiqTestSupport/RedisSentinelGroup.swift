import Foundation
import Synchronization
import Taskiq
import TaskiqRedis

/// A master, two replicas and three sentinels watching them — private `redis-server`s and
/// `redis-sentinel`s on free loopback ports, in temporary directories — for failover tests.
///
/// The sentinels judge a master down after 1 s without answers (`down-after-milliseconds`) and need
/// two of the three to agree, as a production quorum would.
/// ```swift
/// try await RedisSentinelGroup.with { group in
///     let broker = try RedisStreamBroker(url: group.url)
///     ...
///     await group.master.kill()
///     try await group.waitForPromotion()
/// }
/// ```
package final class RedisSentinelGroup: Sendable {
    /// The name the sentinels monitor the master under.
    package static let masterName = "taskiq-master"

    /// The master the group starts with.
    package let master: RedisServer
    /// The replicas; the sentinels promote one when the master dies and point the other at it.
    package let replicas: [RedisServer]
    /// The three sentinels.
    package let sentinels: [RedisServer]
    /// How every process speaks TLS (to clients, replication, sentinels to servers); `nil` for plain TCP.
    package let tls: RedisServer.TLS?

    private init(master: RedisServer, replicas: [RedisServer], sentinels: [RedisServer], tls: RedisServer.TLS?) {
        self.master = master
        self.replicas = replicas
        self.sentinels = sentinels
        self.tls = tls
    }

    /// `redis+sentinel://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3/taskiq-master`; over TLS
    /// `rediss+sentinel://…/taskiq-master?ssl_cert_reqs=required&ssl_ca_certs=<ca>`.
    package var url: String {
        let sentinels = sentinels.map { "127.0.0.1:\($0.port)" }.joined(separator: ",")
        guard let tls else { return "redis+sentinel://\(sentinels)/\(Self.masterName)" }
        return "rediss+sentinel://\(sentinels)/\(Self.masterName)?ssl_cert_reqs=required&ssl_ca_certs=\(tls.caFile)"
    }

    /// The sentinels as `127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3`, as the Python peer reads them.
    package var sentinelAddresses: String { sentinels.map { "127.0.0.1:\($0.port)" }.joined(separator: ",") }

    /// Starts a group, runs `body`, and stops every process whether `body` throws or not.
    package static func with<T: Sendable>(
        tls: RedisServer.TLS? = nil,
        _ body: (RedisSentinelGroup) async throws -> T
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

    /// Starts the master, the replicas (waiting until they have synchronised) and the sentinels
    /// (waiting until each knows the replicas and the two other sentinels, so they can elect a leader).
    package static func start(tls: RedisServer.TLS? = nil) async throws -> RedisSentinelGroup {
        let tlsReplication = tls == nil ? [] : ["--tls-replication", "yes"]
        let master = try await RedisServer.start(arguments: tlsReplication, tls: tls)
        var started = [master]
        do {
            var replicas: [RedisServer] = []
            for _ in 0..<2 {
                let replica = try await RedisServer.start(
                    arguments: ["--replicaof", "127.0.0.1", String(master.port)] + tlsReplication,
                    tls: tls)
                started.append(replica)
                replicas.append(replica)
                try await eventually("the replica synchronised with the master", seconds: 30) {
                    let role = try? await Self.command(["ROLE"], port: replica.port, tls: tls)
                    return role?.array?.count == 5 && role?.array?[3].string == "connected"
                }
            }
            let monitor = """
                sentinel monitor \(masterName) 127.0.0.1 \(master.port) 2
                sentinel down-after-milliseconds \(masterName) 1000
                sentinel failover-timeout \(masterName) 10000
                sentinel parallel-syncs \(masterName) 1

                """
            guard let sentinelProgram = RedisServer.sentinelExecutable else {
                throw RedisServer.StartError(
                    description: "redis-sentinel is not installed; run scripts/install-peers.sh (apt-get install redis-sentinel)")
            }
            var sentinels: [RedisServer] = []
            for _ in 0..<3 {
                let sentinel = try await RedisServer.start(
                    arguments: tlsReplication, tls: tls, configurationFile: monitor,
                    program: sentinelProgram)
                started.append(sentinel)
                sentinels.append(sentinel)
            }
            for sentinel in sentinels {
                try await eventually(
                    "sentinel \(sentinel.port) knows the replicas and the other sentinels", seconds: 30,
                    every: .milliseconds(100)
                ) {
                    guard let fields = try? await Self.command(["SENTINEL", "MASTER", masterName], port: sentinel.port, tls: tls).array
                    else {
                        return false
                    }
                    let info = Dictionary(
                        stride(from: 0, to: fields.count - 1, by: 2).map { (fields[$0].string ?? "", fields[$0 + 1].string ?? "") },
                        uniquingKeysWith: { first, _ in first })
                    return info["num-slaves"] == "2" && info["num-other-sentinels"] == "2"
                }
            }
            return RedisSentinelGroup(master: master, replicas: replicas, sentinels: sentinels, tls: tls)
        } catch {
            for server in started { await server.stop() }
            throw error
        }
    }

    /// Waits until every sentinel names the same replica as the master.
    /// - Returns: The promoted replica and how long the wait took.
    @discardableResult
    package func waitForPromotion(seconds: Double = 60) async throws -> (replica: RedisServer, took: Duration) {
        let start = ContinuousClock.now
        let sentinels = sentinels
        let replicas = replicas
        let tls = tls
        let promoted = Mutex<RedisServer?>(nil)
        try await eventually("the sentinels promoted a replica", seconds: seconds, every: .milliseconds(50)) {
            var ports: Set<String> = []
            for sentinel in sentinels {
                let reply = try? await Self.command(
                    ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", Self.masterName], port: sentinel.port, tls: tls)
                ports.insert(reply?.array?.last?.string ?? "")
            }
            guard ports.count == 1, let replica = replicas.first(where: { ports.contains(String($0.port)) }) else { return false }
            promoted.withLock { $0 = replica }
            return true
        }
        return (promoted.withLock { $0! }, start.duration(to: .now))
    }

    /// Stops every process and removes their directories.
    package func stop() async {
        for sentinel in sentinels { await sentinel.stop() }
        for replica in replicas { await replica.stop() }
        await master.stop()
    }

    /// Sends one command to 127.0.0.1:`port` on a connection of its own (RESP2), over TLS
    /// trusting `tls`'s CA when given.
    package static func command(_ command: [any RESPArgument], port: Int, tls: RedisServer.TLS? = nil) async throws -> RESPValue {
        var configuration = RedisConfiguration(
            port: port, protocolVersion: .resp2, connectTimeout: .seconds(2), commandTimeout: .seconds(5))
        if let tls { configuration.tls = TLSConfiguration(caFile: tls.caFile) }
        let connection = try await RedisConnection.connect(configuration)
        defer { connection.close() }
        return try await connection.send(command)
    }
}
