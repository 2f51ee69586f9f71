import Foundation
import Synchronization
import Taskiq
import TaskiqTestSupport
import Testing

@testable import TaskiqNATS

/// The JetStream broker against a real three-node cluster with a stream of three replicas: the
/// node a worker is connected to is SIGKILLed, the worker moves to another node, and nothing
/// kicked before, during or after is lost.
@Suite(.enabled(if: NATSServer.shouldRun, NATSServer.skipMessage), .serialized)
struct NATSClusterFailoverTests {
    /// Task IDs a worker received, with repeats, and acks that failed.
    final class Executions: Sendable {
        private let state = Mutex((counts: [String: Int](), total: 0, ackFailures: [String]()))

        func record(_ id: String) {
            state.withLock {
                $0.counts[id, default: 0] += 1
                $0.total += 1
            }
        }
        func ackFailed(_ error: any Error) { state.withLock { $0.ackFailures.append("\(error)") } }
        var distinct: Set<String> { state.withLock { Set($0.counts.keys) } }
        var total: Int { state.withLock { $0.total } }
        var duplicates: Int { state.withLock { $0.total - $0.counts.count } }
        var ackFailures: [String] { state.withLock { $0.ackFailures } }
    }

    /// Task IDs whose kick the stream acknowledged, and kicks that failed.
    final class Kicks: Sendable {
        private let state = Mutex((ids: [String](), failures: [String]()))
        let stopping = Atomic<Bool>(false)

        func kicked(_ id: String) { state.withLock { $0.ids.append(id) } }
        func failed(_ error: any Error) { state.withLock { $0.failures.append("\(error)") } }
        var ids: [String] { state.withLock { $0.ids } }
        var failures: [String] { state.withLock { $0.failures } }
    }

    static func message(_ id: String) -> BrokerMessage {
        let body = Array(
            #"{"task_id": "\#(id)", "task_name": "faults.record", "labels": {}, "labels_types": {}, "args": [], "kwargs": {}}"#.utf8)
        return BrokerMessage(taskID: id, taskName: "faults.record", message: body, labels: [:])
    }

    static func taskID(_ data: [UInt8]) -> String? {
        (try? JSONSerialization.jsonObject(with: Data(data)) as? [String: Any])?["task_id"] as? String
    }

    /// Kicks `count` messages at once; returns the acknowledged IDs.
    static func kick(_ broker: NATSJetStreamBroker, _ prefix: String, count: Int, into kicks: Kicks) async {
        await withTaskGroup(of: Void.self) { group in
            for n in 0..<count {
                group.addTask {
                    let id = "\(prefix)-\(n)"
                    do {
                        try await broker.kick(Self.message(id))
                        kicks.kicked(id)
                    } catch {
                        kicks.failed(error)
                    }
                }
            }
        }
    }

    /// Which node the worker is connected to, and so which is killed.
    enum Victim: String, CaseIterable, Sendable {
        /// The node that leads the stream's consumer: the kill also moves the consumer's
        /// leadership (and its pending acks) to another node.
        case consumerLeader
        /// A node that leads neither the stream nor the consumer, when there is one.
        case follower
    }

    /// A started broker; a fresh one is tried again while a cluster that just elected its meta
    /// leader times out creating the stream (seen on a loaded machine): setting up is not under
    /// test here.
    static func startedBroker(url: String, options: NATSJetStreamBrokerOptions) async throws -> NATSJetStreamBroker {
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while true {
            let broker = try NATSJetStreamBroker(url: url, options: options)
            do {
                try await broker.startup()
                return broker
            } catch let error as NATSClientError where error.code == .timeout && ContinuousClock.now < deadline {
                print("NATS cluster: startup timed out (\(error.message)); trying again")
                try? await broker.shutdown()
            }
        }
    }

    /// A JetStream asset's leader as an INFO answer names it, waiting for the election.
    static func leader(_ broker: NATSJetStreamBroker, _ subject: String) async throws -> String {
        try await withTimeout(seconds: 30) {
            while true {
                let leader = (try? await broker.jetStream.api(subject))?["cluster"]?.objectValue?["leader"]?.stringValue ?? ""
                if !leader.isEmpty { return leader }
                try await Task.sleep(for: .milliseconds(50))  // a poll interval against the deadline
            }
        }
    }

    @Test(arguments: Victim.allCases)
    func killingTheWorkersNodeMovesItToAnotherAndLosesNothing(victim kind: Victim) async throws {
        try await withTimeout(seconds: 150) {
            let clusterStart = ContinuousClock.now
            try await NATSCluster.with { cluster in
                let clusterReady = ContinuousClock.now - clusterStart
                var options = NATSJetStreamBrokerOptions()
                options.replicas = 3
                options.ackWait = .seconds(2)
                options.batch = 64
                options.pullExpires = .seconds(5)
                // The kicker creates the stream and the consumer, on the first node that answers.
                let kicker = try await Self.startedBroker(url: cluster.url, options: options)
                let stream = try await kicker.jetStream.api("STREAM.INFO.taskiq_jetstream")
                #expect(stream["config"]?.objectValue?["num_replicas"]?.intValue == 3)
                let streamLeader = try await Self.leader(kicker, "STREAM.INFO.taskiq_jetstream")
                let consumerLeader = try await Self.leader(kicker, "CONSUMER.INFO.taskiq_jetstream.taskiq_durable")
                let metaLeader = try await cluster.waitForMetaLeader().serverName ?? "?"
                let chosen: NATSServer =
                    switch kind {
                    case .consumerLeader: try #require(cluster.node(named: consumerLeader))
                    case .follower:
                        cluster.nodes.first { ![streamLeader, consumerLeader].contains($0.serverName) }
                            ?? cluster.nodes.first { $0.serverName != consumerLeader }!
                    }
                // The worker lists the chosen node first, so it connects there.
                let worker = try await Self.startedBroker(
                    url: ([chosen] + cluster.nodes.filter { $0 !== chosen }).map(\.url).joined(separator: ","), options: options)
                let address = try #require(worker.client.connectedServer)
                let victim = try #require(cluster.nodes.first { "127.0.0.1:\($0.port)" == address })
                #expect(victim === chosen)

                let executions = Executions()
                let deliveries = try await worker.listen()
                let consuming = Task {
                    for try await delivery in deliveries {
                        executions.record(Self.taskID(delivery.data) ?? "?")
                        do { try await delivery.ack?() } catch { executions.ackFailed(error) }
                    }
                }
                let events = worker.client.events()
                let reconnected = Task { () -> String? in
                    for await event in events { if case .reconnected(let server) = event { return server } }
                    return nil
                }
                defer { reconnected.cancel() }

                let kicks = Kicks()
                await Self.kick(kicker, "before", count: 100, into: kicks)
                let kickingThrough = Task {
                    await withTaskGroup(of: Void.self) { group in
                        for producer in 0..<4 {
                            group.addTask {
                                var n = 0
                                while !kicks.stopping.load(ordering: .relaxed) {
                                    let id = "during-\(producer)-\(n)"
                                    n += 1
                                    do {
                                        try await kicker.kick(Self.message(id))
                                        kicks.kicked(id)
                                    } catch {
                                        kicks.failed(error)
                                    }
                                    // Pacing (about 400 kicks a second in all), so an election
                                    // does not pile up tens of thousands of tasks.
                                    try? await Task.sleep(for: .milliseconds(10))
                                }
                            }
                        }
                    }
                }
                defer { kicks.stopping.store(true, ordering: .relaxed) }
                try await eventually("150 tasks received before the kill", seconds: 30) { executions.distinct.count >= 150 }
                let kickedBeforeKill = kicks.ids.count
                await victim.kill()
                let killed = ContinuousClock.now
                // When the consumer has a leader again, for the figures: the worker cannot run
                // tasks before that.
                let quickAPI = JetStream(client: kicker.client, timeout: .milliseconds(250))
                let consumerElection = Task { () -> (String, Duration)? in
                    while !Task.isCancelled {
                        let info = try? await quickAPI.api("CONSUMER.INFO.taskiq_jetstream.taskiq_durable")
                        if let leader = info?["cluster"]?.objectValue?["leader"]?.stringValue, !leader.isEmpty, leader != victim.serverName
                        {
                            return (leader, ContinuousClock.now - killed)
                        }
                        try? await Task.sleep(for: .milliseconds(20))  // a poll interval
                    }
                    return nil
                }
                defer { consumerElection.cancel() }
                let server = try await withTimeout(seconds: 30) { await reconnected.value }
                let moved = ContinuousClock.now - killed
                #expect(server != nil && server != address, "the worker moved to another node: \(server ?? "none")")
                #expect(worker.client.connectedServer != address)
                let receivedAtReconnect = executions.total
                try await eventually("the worker runs tasks again on its new node", seconds: 30) { executions.total > receivedAtReconnect }
                let runningAgain = ContinuousClock.now - killed
                let elected = try await withTimeout(seconds: 30) { await consumerElection.value }
                let kickedAtReconnect = kicks.ids.count
                try await eventually("100 more kicks through the new leaders", seconds: 45) { kicks.ids.count >= kickedAtReconnect + 100 }
                kicks.stopping.store(true, ordering: .relaxed)
                await kickingThrough.value
                await Self.kick(kicker, "after", count: 100, into: kicks)

                let expected = Set(kicks.ids)
                #expect(expected.count == kicks.ids.count)
                #expect(kicks.failures.isEmpty, "no kick failed: \(kicks.failures.prefix(3))")
                try await eventually("every acknowledged kick received", seconds: 45, every: .milliseconds(50)) {
                    expected.isSubset(of: executions.distinct)
                }
                try await eventually("nothing left pending or unacknowledged", seconds: 30, every: .milliseconds(100)) {
                    let info = try? await worker.jetStream.api("CONSUMER.INFO.taskiq_jetstream.taskiq_durable")
                    return info?["num_ack_pending"]?.intValue == 0 && info?["num_pending"]?.intValue == 0
                }
                // Kicks retried through the election carry the same Nats-Msg-Id: each is stored once.
                let stored = try await kicker.jetStream.api("STREAM.INFO.taskiq_jetstream")["state"]?.objectValue?["messages"]?.intValue
                #expect(stored == expected.count, "the stream holds each acknowledged kick once")
                let missing = expected.subtracting(executions.distinct)
                #expect(missing.isEmpty)
                #expect(executions.ackFailures.isEmpty, "\(executions.ackFailures.prefix(3))")
                print(
                    """
                    NATS cluster failover (\(kind.rawValue)): cluster ready in \(clusterReady); killed \(victim.serverName ?? "?") (\(address); stream leader \
                    \(streamLeader), consumer leader \(consumerLeader), meta leader \(metaLeader)); the worker reconnected to \
                    \(server ?? "none") \(moved) after the kill and ran tasks again \(runningAgain) after it (the consumer's \
                    leader after the kill: \(elected.map { "\($0.0), known \($0.1) after it" } ?? "none")); \
                    \(expected.count) kicked (\(kickedBeforeKill) before the kill, \(kickedAtReconnect) before the worker ran tasks again), \
                    \(executions.distinct.count) distinct received, \(executions.duplicates) twice or more, \(missing.count) lost; \
                    the stream stores \(stored ?? -1)
                    """)
                consuming.cancel()
                try await kicker.shutdown()
                try await worker.shutdown()
                _ = try? await consuming.value
            }
        }
    }
}
