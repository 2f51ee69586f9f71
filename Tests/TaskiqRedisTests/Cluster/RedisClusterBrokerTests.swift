import Foundation
import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqRedis

/// The Redis components on a real six-node cluster through `redis+cluster://`: the stream broker
/// with delays, leases and a dead consumer's entries, the list broker, results awaited through
/// the cluster's pub/sub, the schedule source, and a resharding of the queue's slot under load.
@Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage))
struct RedisClusterBrokerTests {
    static func broker(_ cluster: RedisClusterGroup, consumer: String? = nil) throws -> RedisStreamBroker {
        let options = RedisStreamBrokerOptions(
            consumerName: consumer, xreadBlock: .milliseconds(500), idleTimeout: .seconds(2),
            leaseTTL: .seconds(1), leaseRenewInterval: .milliseconds(200),
            delayPollInterval: .milliseconds(100))
        return try RedisStreamBroker(url: cluster.url, options: options, resultBackend: RedisResultBackend(url: cluster.url))
    }

    @Test func streamTasksDelaysAndResultsWorkOnACluster() async throws {
        try await RedisClusterGroup.with { cluster in
            let broker = try Self.broker(cluster, consumer: "worker-1")
            let add = broker.task("add") { (a: Int, b: Int) async throws -> Int in a + b }
            try await Redis.withWorker(broker) { _ in
                var handles: [TaskHandle<Int>] = []
                for index in 0..<100 { handles.append(try await add.kiq(index, 1)) }
                for index in 0..<10 {
                    handles.append(try await add.kicker().withLabels(["delay": .double(0.3)]).kiq(index, 1000))
                }
                for handle in handles { #expect(try await handle.waitResult(timeout: .seconds(30)).isErr == false) }
                let client = broker.client
                #expect(try await client.send(["XLEN", "taskiq"]).int == 110, "the stream keeps taskiq-redis's name")
                #expect(try await client.send(["ZCARD", "{taskiq}:delayed"]).int == 0, "every delayed message was moved")
                #expect(
                    try await client.send(["EXISTS", "taskiq:lease:{taskiq}:taskiq:worker-1"]).int == 1,
                    "the lease shares the stream's slot, so its script runs")
            }
        }
    }

    /// Every node speaks only TLS (clients, the cluster bus, replication): `rediss+cluster://`
    /// verifies each node's certificate against the CA, with redis-py's option names.
    @Test(.enabled(if: TLSCertificates.shouldRun, "openssl is not installed"))
    func tasksAndResultsWorkOnATLSCluster() async throws {
        let certificates = try TLSCertificates.shared()
        try await RedisClusterGroup.with(tls: RedisServer.TLS(certificates.server, caFile: certificates.caFile)) { cluster in
            #expect(cluster.url.hasPrefix("rediss+cluster://"))
            let broker = try Self.broker(cluster)
            let add = broker.task("add") { (a: Int, b: Int) async throws -> Int in a + b }
            try await Redis.withWorker(broker) { _ in
                var handles: [TaskHandle<Int>] = []
                for index in 0..<50 { handles.append(try await add.kiq(index, 1)) }
                handles.append(try await add.kicker().withLabels(["delay": .double(0.2)]).kiq(1, 1))
                for handle in handles { #expect(try await handle.waitResult(timeout: .seconds(30)).isErr == false) }
            }
            // A client that does not trust the cluster's CA is refused, saying why.
            var untrusting = try RedisConfiguration(
                url: cluster.url.replacingOccurrences(of: certificates.caFile, with: certificates.otherCAFile))
            untrusting.reconnect.attemptsPerCommand = 1
            let client = RedisClient(configuration: untrusting)
            defer { client.close() }
            await #expect {
                try await client.send(["PING"])
            } throws: { error in
                (error as? RedisConnectionError)?.description.contains("certificate") == true
            }
        }
    }

    @Test func aDeadConsumersEntriesAreClaimedOnACluster() async throws {
        try await RedisClusterGroup.with { cluster in
            let broker = try Self.broker(cluster)
            let ran = EventStream<Int>()
            let record = broker.task("record") { (value: Int) async throws -> Int in
                ran.send(value)
                return value
            }
            let client = broker.client
            try await broker.startup()
            // A consumer that read an entry and died: no lease, never acknowledged.
            try await client.send(["XADD", "taskiq", "*", "data", Redis.message("orphan", "record", args: "[7]")])
            let read = try await client.send(["XREADGROUP", "GROUP", "taskiq", "ghost", "COUNT", 10, "STREAMS", "taskiq", ">"])
            #expect(RedisStreamEntry.fromRead(read).count == 1)
            try await Redis.withWorker(broker) { _ in
                let values = try await ran.first(1, timeout: 30)
                #expect(values == [7])
            }
            _ = record
        }
    }

    @Test func theListBrokerAndTheScheduleSourceWorkOnACluster() async throws {
        try await RedisClusterGroup.with { cluster in
            let broker = try RedisListBroker(url: cluster.url, queueName: "jobs", blockTimeout: .milliseconds(500))
            broker.withResultBackend(try RedisResultBackend(url: cluster.url))
            let echo = broker.task("echo") { (text: String) async throws -> String in text }
            try await Redis.withWorker(broker) { _ in
                for text in ["a", "ключ", "🙂"] {
                    let result = try await echo.kiq(text).waitResult(timeout: .seconds(30))
                    #expect(result.returnValue == text)
                }
            }
            let source = try RedisScheduleSource(url: cluster.url)
            defer { source.close() }
            let cron = try Schedule(task: "echo", trigger: .cron("0 3 * * *", timeZone: "UTC"), args: ["n"], scheduleID: "nightly")
            let every = Schedule(task: "echo", trigger: .interval(seconds: 30), args: ["i"], scheduleID: "poll")
            let once = Schedule(task: "echo", trigger: .once(Date(timeIntervalSince1970: 4_102_444_830)), args: ["o"], scheduleID: "once")
            for schedule in [cron, every, once] { try await source.add(schedule) }
            #expect(try await source.schedules() == [cron, every, once])
            try await source.remove(scheduleID: "nightly")
            #expect(try await source.schedules() == [every, once])
            let client = RedisClient(configuration: try RedisConfiguration(url: cluster.url))
            defer { client.close() }
            #expect(try await client.send(["EXISTS", "{schedule}:data:poll"]).int == 1, "every key in the slot of 'schedule'")
        }
    }

    @Test func theQueuesSlotMovedUnderLoadLosesNoTask() async throws {
        try await RedisClusterGroup.with { cluster in
            let broker = try Self.broker(cluster)
            let runs = MutexBox<[Int: Int]>([:])
            let record = broker.task("record") { (index: Int) async throws -> Int in
                runs.withLock { $0[index, default: 0] += 1 }
                return index
            }
            // The master holding slot 7559 ("taskiq", "{taskiq}:delayed") hands all its slots over.
            let topology = try RedisClusterTopology(
                slots: try await RedisClusterGroup.command(["CLUSTER", "SLOTS"], port: cluster.nodes[0].port),
                askedAt: RedisAddress(host: "127.0.0.1", port: cluster.nodes[0].port))
            let owner = try #require(topology.master(forSlot: RedisClusterSlot.of("taskiq")))
            let heir = try #require(topology.masters.first { $0 != owner })
            let from = try #require(try await RedisClusterGroup.command(["CLUSTER", "MYID"], port: owner.port).string)
            let to = try #require(try await RedisClusterGroup.command(["CLUSTER", "MYID"], port: heir.port).string)
            let start = ContinuousClock.now
            let kickedTotal = Atomic<Int>(0)
            let drained = Atomic<Int>(0)
            try await Redis.withWorker(broker) { receiver in
                // Kicks go on until the migration is over: at least 1,000, some delayed. At most
                // 1,000 wait to run: a kick costs a fraction of a run (its result is stored on the
                // cluster too), and on a loaded 2-core machine the worker drains ~300 tasks/s, so
                // an unbounded backlog can outgrow the final minute of waiting. That is the likely
                // cause of a CI failure (2026-12-07) whose worker was still reading new entries at
                // the end; should it recur, the failure prints where the missing tasks are.
                let resharded = Atomic<Bool>(false)
                async let kicked: Int = {
                    var index = 0
                    while (index < 1000 || !resharded.load(ordering: .relaxed)) && index < 100_000 {
                        while index - runs.withLock({ $0.count }) >= 1000 { try await Task.sleep(for: .milliseconds(5)) }
                        let delay: JSONValue? = index % 10 == 0 ? .double(0.2) : nil
                        _ = try await record.kicker().withLabels(delay.map { ["delay": $0] } ?? [:]).kiq(index)
                        index += 1
                    }
                    return index
                }()
                try await eventually("some tasks ran", seconds: 60) { runs.withLock { $0.count > 100 } }
                let reshard = try await cluster.redisCLI([
                    "--cluster", "reshard", "127.0.0.1:\(owner.port)",
                    "--cluster-from", from, "--cluster-to", to,
                    "--cluster-slots", "16384", "--cluster-yes",
                ])
                resharded.store(true, ordering: .relaxed)
                #expect(reshard.status == 0, "\(reshard.text.suffix(500))")
                let total = try await kicked
                kickedTotal.store(total, ordering: .relaxed)
                let draining = ContinuousClock.now
                do {
                    try await eventually("every task ran", seconds: 60) { runs.withLock { $0.count == total } }
                    drained.store(Int(draining.duration(to: .now).inSeconds * 1000), ordering: .relaxed)
                } catch {
                    let missing = runs.withLock { runs in (0..<total).filter { runs[$0] == nil } }
                    print(try await Self.whereTasksAre(missing: missing, total: total, receiver: receiver, cluster: cluster))
                    throw error
                }
            }
            let moved = try await RedisClusterGroup.command(["CLUSTER", "KEYSLOT", "taskiq"], port: heir.port).int
            let now = try RedisClusterTopology(
                slots: try await RedisClusterGroup.command(["CLUSTER", "SLOTS"], port: heir.port),
                askedAt: heir)
            #expect(now.master(forSlot: moved ?? 0) == heir, "the queue's slot did move")
            let (distinct, executions) = runs.withLock { ($0.count, $0.values.reduce(0, +)) }
            print(
                "cluster reshard under a worker: \(distinct) of \(kickedTotal.load(ordering: .relaxed)) tasks ran (\(executions - distinct) twice) while the queue's slot moved, \(broker.client.router?.redirectsFollowed ?? 0) redirects followed, \(start.duration(to: .now)), the last \(drained.load(ordering: .relaxed)) ms draining what was left"
            )
        }
    }

    /// Which kicked tasks never ran, and what the queue, its group and its delayed set hold:
    /// printed when ``theQueuesSlotMovedUnderLoadLosesNoTask()`` fails, to say where they are.
    static func whereTasksAre(missing: [Int], total: Int, receiver: Receiver, cluster: RedisClusterGroup) async throws -> String {
        let client = RedisClient(configuration: try RedisConfiguration(url: cluster.url))
        defer { client.close() }
        var lines = [
            "\(missing.count) of \(total) tasks never ran, \(missing.filter { $0 % 10 == 0 }.count) of them delayed; first: \(missing.prefix(20))",
            "worker: \(receiver.statistics)",
        ]
        for command: [any RESPArgument] in [
            ["XLEN", "taskiq"], ["XINFO", "GROUPS", "taskiq"], ["XINFO", "CONSUMERS", "taskiq", "taskiq"],
            ["XPENDING", "taskiq", "taskiq"], ["ZCARD", "{taskiq}:delayed"],
        ] {
            let reply: String
            do { reply = Self.text(try await client.send(command)) } catch { reply = "failed: \(error)" }
            lines.append("\(command.map { "\($0)" }.joined(separator: " ")): \(reply)")
        }
        return lines.joined(separator: "\n")
    }

    /// A reply as `redis-cli` would show it, on one line.
    static func text(_ value: RESPValue) -> String {
        switch value {
        case .bulkString(let bytes): String(decoding: bytes, as: UTF8.self)
        case .simpleString(let text), .simpleError(let text), .bulkError(let text), .bigNumber(let text): text
        case .integer(let number): "\(number)"
        case .null: "(nil)"
        case .array(let items), .set(let items), .push(let items): "[" + items.map(text).joined(separator: ", ") + "]"
        case .map(let pairs): "{" + pairs.map { "\(text($0.key)): \(text($0.value))" }.joined(separator: ", ") + "}"
        default: "\(value)"
        }
    }

    @Test func theSchedulersLeaseAndSlotClaimsWorkOnACluster() async throws {
        try await RedisClusterGroup.with { cluster in
            let a = try RedisSchedulerLease(url: cluster.url, ttl: .seconds(30), renewInterval: .seconds(10))
            let b = try RedisSchedulerLease(url: cluster.url, ttl: .seconds(30), renewInterval: .seconds(10))
            #expect(try await a.acquire())
            #expect(try await !b.acquire(), "the lease is held")
            #expect(try await a.renew())
            #expect(try await !b.renew(), "only the holder renews")
            try await a.release()
            #expect(try await b.acquire(), "a released lease is taken at once")
            let store = try RedisSchedulerStateStore(url: cluster.url)
            let first = Date(timeIntervalSince1970: 1_735_690_500)
            for id in ["s", "t", "u", "v"] {
                #expect(try await store.claim(first, scheduleID: id), "schedule \(id) on whichever master its key's slot is")
                #expect(try await !store.claim(first, scheduleID: id), "the same slot is claimed once")
            }
            #expect(try await store.lastFired(scheduleID: "v") == first)
        }
    }

    /// The master of the queue's slot is killed (SIGKILL) while four producers kick and a worker
    /// runs; the cluster promotes its replica after `cluster-node-timeout` (2 s), and the old
    /// master, started again, rejoins as the new one's replica. Kicks wait for a replica
    /// (`wait_for_replicas` 1), so each confirmed kick survives the failover; failed kicks are
    /// retried by their producer. Every confirmed task must run.
    @Test func aKilledMasterIsReplacedByItsReplicaAndEveryConfirmedTaskRuns() async throws {
        try await RedisClusterGroup.with { cluster in
            let options = RedisStreamBrokerOptions(
                xreadBlock: .milliseconds(500), idleTimeout: .seconds(3),
                leaseTTL: .seconds(2), leaseRenewInterval: .milliseconds(500),
                delayPollInterval: .milliseconds(100),
                replicasToAcknowledge: 1, replicaAcknowledgeTimeout: .seconds(2))
            let broker = try RedisStreamBroker(
                url: cluster.url, options: options,
                resultBackend: InMemoryResultBackend(maxStoredResults: -1))
            let tally = Tally()
            let record = broker.task("record") { (index: Int) async throws -> Int in
                tally.runs.withLock { $0[index, default: 0] += 1 }
                return index
            }
            let slot = RedisClusterSlot.of("taskiq")
            let before = try RedisClusterTopology(
                slots: try await RedisClusterGroup.command(["CLUSTER", "SLOTS"], port: cluster.nodes[0].port),
                askedAt: RedisAddress(host: "127.0.0.1", port: cluster.nodes[0].port))
            let ownerAddress = try #require(before.master(forSlot: slot))
            let owner = try #require(cluster.nodes.first { $0.port == ownerAddress.port })
            let witness = try #require(cluster.nodes.first { $0.port != owner.port })
            let lanes = 4
            let total = 1000
            let killAfter = 300
            let afterRecovery = 25
            let killNow = Redis.Gate()
            let start = ContinuousClock.now
            try await Redis.withWorker(broker) { _ in
                async let killer: Duration = {
                    try await killNow.wait()
                    let killed = ContinuousClock.now
                    await owner.kill()
                    try await eventually("the replica took over slot \(slot)", seconds: 60, every: .milliseconds(100)) {
                        guard let reply = try? await RedisClusterGroup.command(["CLUSTER", "SLOTS"], port: witness.port),
                            let now = try? RedisClusterTopology(slots: reply, askedAt: ownerAddress)
                        else { return false }
                        return now.master(forSlot: slot).map { $0.port != owner.port } ?? false
                    }
                    let promoted = killed.duration(to: .now)
                    try await owner.resume()
                    try await eventually("the old master rejoined as a replica", seconds: 60, every: .milliseconds(100)) {
                        let role = try? await RedisClusterGroup.command(["ROLE"], port: owner.port)
                        return role?.array?.first?.string == "slave" && role?.array?[3].string == "connected"
                    }
                    tally.recovered.store(true, ordering: .relaxed)
                    return promoted
                }()
                let kept = try await withThrowingTaskGroup(of: [Int].self) { group in
                    for lane in 0..<lanes {
                        group.addTask {
                            var kept: [Int] = []
                            var index = lane
                            var sinceRecovery = 0
                            while (index < total || sinceRecovery < afterRecovery) && index < 100 * total {
                                defer { index += lanes }
                                if tally.recovered.load(ordering: .relaxed) { sinceRecovery += 1 }
                                for attempt in 1...20 {
                                    do {
                                        _ = try await record.kiq(index)
                                        kept.append(index)
                                        if tally.confirmed.add(1, ordering: .relaxed).newValue == killAfter { killNow.open() }
                                        break
                                    } catch {
                                        tally.failedKicks.add(1, ordering: .relaxed)
                                        if attempt == 20 { Issue.record("kick \(index) failed 20 times, the last with: \(error)") }
                                    }
                                }
                            }
                            return kept
                        }
                    }
                    return try await group.reduce(into: []) { $0 += $1 }
                }
                let promotion = try await killer
                try await eventually("every confirmed task ran", seconds: 90, every: .milliseconds(50)) {
                    tally.runs.withLock { runs in kept.allSatisfy { runs[$0] != nil } }
                }
                let (distinct, executions) = tally.runs.withLock { ($0.count, $0.values.reduce(0, +)) }
                print(
                    """
                    cluster failover: master of slot \(slot) killed after \(killAfter) confirmed kicks, replica promoted \(promotion) \
                    later; \(kept.count) kicks confirmed, \(tally.failedKicks.load(ordering: .relaxed)) kick attempts failed and were \
                    retried; \(distinct) tasks ran \(executions) times (\(executions - distinct) duplicates); \(start.duration(to: .now)) in all
                    """)
                #expect(kept.count >= total)
            }
        }
    }

    /// What the failover test's worker and producers counted.
    private final class Tally: Sendable {
        let runs = Mutex<[Int: Int]>([:])
        let confirmed = Atomic<Int>(0)
        let failedKicks = Atomic<Int>(0)
        let recovered = Atomic<Bool>(false)
    }
}
