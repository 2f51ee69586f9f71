import Foundation
import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqRedis

/// Redis Sentinel against real processes: a master, two replicas and three sentinels
/// (``RedisSentinelGroup``).
@Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage))
struct RedisSentinelTests {
    @Test func commandsGoToTheMasterTheSentinelsName() async throws {
        try await RedisSentinelGroup.with { group in
            // A sentinel that is down is skipped: the next one answers.
            let dead = try RedisServer.freePort()
            let url = group.url.replacingOccurrences(of: "redis+sentinel://", with: "redis+sentinel://127.0.0.1:\(dead),")
            let client = RedisClient(configuration: try RedisConfiguration(url: url))
            defer { client.close() }
            try await client.send(["SET", "where", "master"])
            #expect(try await client.send(["ROLE"]).array?.first?.string == "master")
            let connection = try await client.connection()
            #expect(connection.configuration.port == group.master.port)
            #expect(connection.configuration.sentinel == nil, "a resolved connection talks to the master itself")
            try await eventually("the write reached the replica") {
                try await RedisSentinelGroup.command(["GET", "where"], port: group.replicas[0].port).string == "master"
            }
        }
    }

    /// Master, replicas and sentinels speak only TLS: `rediss+sentinel://` verifies the
    /// sentinels and the master they name against the CA, and a master killed there is still
    /// replaced, the client following over TLS.
    @Test(.enabled(if: TLSCertificates.shouldRun, "openssl is not installed"))
    func theSentinelsAndTheMasterAreReachedOverTLS() async throws {
        let certificates = try TLSCertificates.shared()
        try await RedisSentinelGroup.with(tls: RedisServer.TLS(certificates.server, caFile: certificates.caFile)) { group in
            #expect(group.url.hasPrefix("rediss+sentinel://"))
            let client = RedisClient(configuration: try RedisConfiguration(url: group.url))
            defer { client.close() }
            try await client.send(["SET", "k", "before"])
            #expect(try await client.send(["WAIT", 2, 10_000]).int == 2, "both replicas have the write")
            #expect(try await client.connection().configuration.port == group.master.port)
            await group.master.kill()
            let promoted = try await group.waitForPromotion().replica
            #expect(try await client.send(["GET", "k"]).string == "before", "the write had reached the replicas")
            #expect(try await client.connection().configuration.port == promoted.port)
            var untrusting = try RedisConfiguration(
                url: group.url.replacingOccurrences(of: certificates.caFile, with: certificates.otherCAFile))
            untrusting.reconnect.attemptsPerCommand = 1
            let refused = RedisClient(configuration: untrusting)
            defer { refused.close() }
            await #expect {
                try await refused.send(["PING"])
            } throws: { error in
                let text = (error as? RedisConnectionError)?.description ?? ""
                return text.contains("no sentinel could name master") && text.contains("certificate")
            }
        }
    }

    @Test func anUnknownMasterNameSaysWhatEachSentinelAnswered() async throws {
        try await RedisSentinelGroup.with { group in
            var configuration = try RedisConfiguration(url: group.url.replacingOccurrences(of: "/taskiq-master", with: "/nosuch"))
            configuration.reconnect.attemptsPerCommand = 1
            let client = RedisClient(configuration: configuration)
            defer { client.close() }
            await #expect {
                try await client.send(["PING"])
            } throws: { error in
                let error = error as? RedisConnectionError
                let message = error?.description ?? ""
                return error?.code == .connectFailed && message.contains("no sentinel could name master 'nosuch'")
                    && message.contains("127.0.0.1:\(group.sentinels[2].port) does not monitor a master named 'nosuch'")
            }
        }
    }

    @Test func aWrongSentinelPasswordIsAnAuthenticationError() async throws {
        try await RedisSentinelGroup.with { group in
            var configuration = try RedisConfiguration(url: group.url + "?sentinel_password=wrong")
            configuration.reconnect.attemptsPerCommand = 1
            let client = RedisClient(configuration: configuration)
            defer { client.close() }
            await #expect {
                try await client.send(["PING"])
            } throws: { error in
                // The sentinels have no password: AUTH is refused, which says so.
                let error = error as? RedisConnectionError
                return error?.code == .authenticationFailed && error?.description.contains("wrong") == false
                    && error?.description.contains("no sentinel could name master 'taskiq-master'") == true
            }
        }
    }

    /// The master is demoted with `SENTINEL FAILOVER` while a connection to it sits idle: it stays
    /// up and would keep the connection, so only `+switch-master` can tell. The connection is
    /// dropped as lost (retryable), and the next one goes to the new master.
    @Test func anIdleConnectionToAReplacedMasterIsDroppedWhenTheSentinelsSaySo() async throws {
        try await RedisSentinelGroup.with { group in
            let client = RedisClient(configuration: try RedisConfiguration(url: group.url))
            defer { client.close() }
            let connection = try await client.connection()
            #expect(connection.configuration.port == group.master.port)
            let sentinels = group.sentinels
            try await eventually("a sentinel has a subscriber to +switch-master", seconds: 30) {
                for sentinel in sentinels {
                    let clients = try await RedisSentinelGroup.command(["CLIENT", "LIST"], port: sentinel.port).string ?? ""
                    if clients.contains("sub=1") { return true }
                }
                return false
            }
            let reply = try await RedisSentinelGroup.command(
                ["SENTINEL", "FAILOVER", RedisSentinelGroup.masterName],
                port: group.sentinels[1].port)
            #expect(reply.string == "OK")
            try await eventually("the idle connection to the old master was dropped", seconds: 30) { !connection.isOpen }
            #expect(connection.failure?.code == .connectionClosed)
            #expect(connection.failure?.message.contains("+switch-master") == true, "\(String(describing: connection.failure))")
            #expect(try await client.send(["ROLE"]).array?.first?.string == "master")
            #expect(try await client.connection().configuration.port != group.master.port)
        }
    }

    /// How the master is lost.
    enum Failover: String, Sendable, CaseIterable, CustomTestStringConvertible {
        /// SIGKILL: its connections are cut.
        case kill
        /// `SENTINEL FAILOVER`: it stays up, believing it is the master until the sentinels
        /// reconfigure it, and its connections stay open unless `+switch-master` (or a `READONLY`
        /// or `UNBLOCKED` reply) drops them.
        case demote

        var testDescription: String { rawValue }
    }

    /// The master is lost while eight producers kick 1,000 tasks and a worker runs them. Kicks
    /// wait for a replica (`wait_for_replicas` 1), so every kick that returned is on a replica;
    /// the sentinels promote one and point the other at it, which then acknowledges the kicks
    /// after the failover; kicks that failed meanwhile are retried by their producer, as a caller
    /// would. Every confirmed task must run; duplicates are counted.
    @Test(arguments: Failover.allCases)
    func theMasterIsReplacedAndEveryConfirmedTaskRuns(_ failover: Failover) async throws {
        try await RedisSentinelGroup.with { servers in
            let tally = Tally()
            let options = RedisStreamBrokerOptions(
                xreadBlock: .milliseconds(500), idleTimeout: .seconds(3),
                leaseTTL: .seconds(2), leaseRenewInterval: .milliseconds(500),
                replicasToAcknowledge: 1, replicaAcknowledgeTimeout: .seconds(2))
            let broker = try RedisStreamBroker(
                url: servers.url, options: options,
                resultBackend: InMemoryResultBackend(maxStoredResults: -1))
            let record = broker.task("record") { (index: Int) async throws -> Int in
                tally.runs.withLock { $0[index, default: 0] += 1 }
                return index
            }
            let total = 1000
            let lanes = 8
            let killAfter = 300
            let afterPromotion = 25
            let killNow = Redis.Gate()
            let start = ContinuousClock.now
            try await Redis.withWorker(broker) { _ in
                let outcome = try await withThrowingTaskGroup(of: Lane.self) { group in
                    for lane in 0..<lanes {
                        group.addTask {
                            var kept: [Int] = []
                            var longest = Duration.zero
                            // At least `total` tasks, and each producer goes on until it has kicked
                            // `afterPromotion` more once the sentinels named the new master.
                            var index = lane
                            var sincePromotion = 0
                            while (index < total || sincePromotion < afterPromotion) && index < 100 * total {
                                defer { index += lanes }
                                if tally.promoted.load(ordering: .relaxed) { sincePromotion += 1 }
                                let began = ContinuousClock.now
                                for attempt in 1...5 {
                                    do {
                                        _ = try await record.kiq(index)
                                        kept.append(index)
                                        if tally.confirmed.add(1, ordering: .relaxed).newValue == killAfter { killNow.open() }
                                        break
                                    } catch {
                                        tally.failedKicks.add(1, ordering: .relaxed)
                                        if attempt == 5 { Issue.record("kick \(index) failed 5 times, the last with: \(error)") }
                                    }
                                }
                                longest = max(longest, began.duration(to: .now))
                            }
                            return .producer(kept, longest: longest)
                        }
                    }
                    group.addTask {
                        try await killNow.wait()
                        let killedAt = ContinuousClock.now
                        switch failover {
                        case .kill:
                            await servers.master.kill()
                        case .demote:
                            let reply = try await RedisSentinelGroup.command(
                                ["SENTINEL", "FAILOVER", RedisSentinelGroup.masterName], port: servers.sentinels[0].port)
                            #expect(reply.string == "OK")
                        }
                        let promotion = try await servers.waitForPromotion().took
                        tally.promoted.store(true, ordering: .relaxed)
                        return .killer(killedAt, promotion)
                    }
                    var outcome = Outcome()
                    for try await lane in group {
                        switch lane {
                        case .producer(let indices, let longest):
                            outcome.kept += indices
                            outcome.longestKick = max(outcome.longestKick, longest)
                        case .killer(let at, let took):
                            outcome.killedAt = at
                            outcome.promotion = took
                        }
                    }
                    return outcome
                }
                let kept = outcome.kept
                let killedAt = outcome.killedAt
                let promotion = outcome.promotion
                try await eventually("every confirmed task ran", seconds: 90, every: .milliseconds(50)) {
                    tally.runs.withLock { runs in kept.allSatisfy { runs[$0] != nil } }
                }
                let (distinct, executions) = tally.runs.withLock { ($0.count, $0.values.reduce(0, +)) }
                print(
                    """
                    sentinel failover (\(failover)): \(kept.count) kicks confirmed (\(lanes * afterPromotion)+ after the promotion), \(tally.failedKicks.load(ordering: .relaxed)) kick attempts failed \
                    and were retried; master lost after \(killAfter) confirmed kicks, replica promoted \(promotion.map { "\($0)" } ?? "?") later; \
                    the longest kick (retries included) took \(outcome.longestKick); \
                    \(distinct) tasks ran \(executions) times (\(executions - distinct) duplicates); \
                    all done \(start.duration(to: .now)) after the first kick
                    """)
                #expect(kept.count >= total)
                #expect(killedAt != nil)
                #expect(Set(kept).count == kept.count)
            }
        }
    }

    /// What the failover test's worker and producers counted.
    private final class Tally: Sendable {
        let runs = Mutex<[Int: Int]>([:])
        let confirmed = Atomic<Int>(0)
        let promoted = Atomic<Bool>(false)
        let failedKicks = Atomic<Int>(0)
    }

    /// What the failover test's producers and killer found.
    private struct Outcome: Sendable {
        var kept: [Int] = []
        var killedAt: ContinuousClock.Instant?
        var promotion: Duration?
        var longestKick = Duration.zero
    }

    /// What one child of the failover test returns.
    private enum Lane: Sendable {
        case producer([Int], longest: Duration)
        case killer(ContinuousClock.Instant, Duration)
    }
}
