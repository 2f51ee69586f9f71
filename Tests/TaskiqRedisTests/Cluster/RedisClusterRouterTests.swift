import Foundation
import Synchronization
import TaskiqTestSupport
import Testing

@testable import TaskiqRedis

/// ``RedisClusterRouter`` (through ``RedisClient``) against a real six-node cluster: every key on
/// its slot's master, pipelines and blocking commands on one slot, and slots migrated by
/// `redis-cli --cluster reshard` while a writer runs, which must not lose or fail a single command.
@Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage))
struct RedisClusterRouterTests {
    static func client(_ cluster: RedisClusterGroup) -> RedisClient {
        var configuration = RedisConfiguration()
        configuration.clusterNodes = cluster.nodes.prefix(3).map { RedisAddress(host: "127.0.0.1", port: $0.port) }
        return RedisClient(configuration: configuration)
    }

    @Test func eachKeyGoesToTheMasterOfItsSlot() async throws {
        try await RedisClusterGroup.with { cluster in
            let client = Self.client(cluster)
            defer { client.close() }
            for index in 0..<500 { try await client.send(["SET", "key:\(index)", "\(index)"]) }
            let topology = try #require(
                try await RedisClusterTopology(
                    slots: RedisClusterGroup.command(["CLUSTER", "SLOTS"], port: cluster.nodes[0].port),
                    askedAt: RedisAddress(host: "127.0.0.1", port: cluster.nodes[0].port)))
            for index in stride(from: 0, to: 500, by: 7) {
                let owner = try #require(topology.master(forSlot: RedisClusterSlot.of("key:\(index)")))
                #expect(try await RedisClusterGroup.command(["GET", "key:\(index)"], port: owner.port).string == "\(index)")
                #expect(try await client.send(["GET", "key:\(index)"]).string == "\(index)")
            }
            // One slot through a hash tag: a pipeline and a transaction-free multi-key command.
            let replies = try await client.pipeline([["SET", "{job}:a", "1"], ["SET", "{job}:b", "2"], ["MGET", "{job}:a", "{job}:b"]])
            #expect(replies.last?.array?.compactMap(\.string) == ["1", "2"])
            // Keys in two slots are the server's CROSSSLOT error, not a wrong answer.
            await #expect { try await client.send(["MGET", "a", "b"]) } throws: { ($0 as? RedisError)?.code == "CROSSSLOT" }
            // A blocking command waits on its key's master.
            async let popped = client.sendBlocking(["BRPOP", "jobs", 10], blockingFor: .seconds(10))
            try await eventually("BRPOP is blocked") {
                let owner = topology.master(forSlot: RedisClusterSlot.of("jobs"))!
                return try await RedisClusterGroup.command(["INFO", "clients"], port: owner.port).string?.contains("blocked_clients:1")
                    == true
            }
            try await client.send(["LPUSH", "jobs", "x"])
            #expect(try await popped.array?.last?.string == "x")
            let router = try #require(client.router)
            #expect(router.redirectsFollowed == 0, "a fresh map needs no redirects")
        }
    }

    @Test func slotsMigratedUnderLoadLoseNothing() async throws {
        try await RedisClusterGroup.with { cluster in
            let client = Self.client(cluster)
            defer { client.close() }
            let source = try #require(try await RedisClusterGroup.command(["CLUSTER", "MYID"], port: cluster.nodes[0].port).string)
            let target = try #require(try await RedisClusterGroup.command(["CLUSTER", "MYID"], port: cluster.nodes[1].port).string)
            let written = Atomic<Int>(0)
            let stop = Atomic<Bool>(false)
            let start = ContinuousClock.now
            let failed = Atomic<Bool>(false)
            async let writer: Int = {
                var index = 0
                do {
                    while !stop.load(ordering: .relaxed) || index < 2000 {
                        try await client.send(["SET", "item:\(index)", "\(index)"])
                        #expect(try await client.send(["GET", "item:\(index)"]).string == "\(index)")
                        index += 1
                        written.store(index, ordering: .relaxed)
                    }
                } catch {
                    failed.store(true, ordering: .relaxed)  // ends the wait below; awaiting the writer rethrows it
                    throw error
                }
                return index
            }()
            // Generous: on a loaded 2-core run the new cluster's first commands can be slow.
            try await eventually("the writer has started", seconds: 60) {
                written.load(ordering: .relaxed) > 20 || failed.load(ordering: .relaxed)
            }
            if failed.load(ordering: .relaxed) { _ = try await writer }
            let reshard = try await cluster.redisCLI([
                "--cluster", "reshard", "127.0.0.1:\(cluster.nodes[0].port)",
                "--cluster-from", source, "--cluster-to", target,
                "--cluster-slots", "2000", "--cluster-yes", "--cluster-pipeline", "50",
            ])
            stop.store(true, ordering: .relaxed)
            let total = try await writer
            #expect(reshard.status == 0, "\(reshard.text.suffix(500))")
            for index in stride(from: 0, to: total, by: 3) {
                #expect(try await client.send(["GET", "item:\(index)"]).string == "\(index)", "item \(index)")
            }
            let redirects = try #require(client.router).redirectsFollowed
            print(
                "cluster reshard: 2000 slots moved while \(total) SET+GET pairs ran, \(redirects) MOVED/ASK followed, 0 failed, in \(start.duration(to: .now))"
            )
            #expect(redirects > 0, "the migration was noticed")
        }
    }

    @Test func aSlotBouncingBetweenNodesFailsAfterFiveRedirects() async throws {
        // Seven fake nodes, each answering -MOVED to the next; the seed maps every slot to the first.
        var hops: [FakeServer] = []
        var next = "127.0.0.1:1"
        for _ in 0..<7 {
            // Every command on a hop is moved, whatever the connection carried before: a background
            // refresh of the slot map may reach a hop before the redirected GET does.
            let hop = try FakeServer(reply: Array("-MOVED 42 \(next)\r\n".utf8), everyCommand: true)
            hops.insert(hop, at: 0)
            next = "127.0.0.1:\(hop.port)"
        }
        let first = try #require(hops.first)
        let slots = "*1\r\n*3\r\n:0\r\n:16383\r\n*2\r\n$9\r\n127.0.0.1\r\n:\(first.port)\r\n"
        let seed = try FakeServer(reply: Array(slots.utf8), everyCommand: true)
        defer { for server in hops + [seed] { server.close() } }
        // The hops answer at once; the timeout only bounds a hang. CI once starved a hop's thread
        // past 2 seconds on a loaded 2-core run, so it is generous.
        var configuration = RedisConfiguration(protocolVersion: .resp2, commandTimeout: .seconds(30))
        configuration.clusterNodes = [RedisAddress(host: "127.0.0.1", port: seed.port)]
        configuration.reconnect.attemptsPerCommand = 1
        let client = RedisClient(configuration: configuration)
        defer { client.close() }
        await #expect {
            try await client.send(["GET", "anything"])
        } throws: { error in
            let error = error as? RedisConnectionError
            return error?.code == .connectFailed && error?.message.contains("redirected 6 times") == true
                && error?.description.hasPrefix("redis at 127.0.0.1:\(seed.port):") == true
        }
    }
}
