import Foundation
import Synchronization
import Taskiq
import TaskiqExamples
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig
@testable import TaskiqNATS

#if canImport(Glibc)
import Glibc
#endif

/// `taskiq-run worker` processes on the `nats_jetstream` broker against a real nats-server with
/// a file store: a worker SIGKILLed with 300 tasks in flight loses none, a server killed and
/// restarted mid-run loses nothing kicked, and a task four times the ack wait long runs once and
/// is never redelivered (`+WPI`).
///
/// Counting does not trust the broker: a task ran when its worker logged `task succeeded` with
/// its ID (debug level); the server's own view comes from its monitoring endpoint (`/jsz`).
@Suite(.enabled(if: NATSServer.shouldRun, NATSServer.skipMessage), .serialized)
struct NATSWorkerProcessTests {
    /// A config file for one server: the `examples` tasks, debug logs, the dummy result backend.
    static func config(_ server: NATSServer, ackWait: Double, batch: Int, maxAsyncTasks: Int) throws -> (TemporaryConfigDirectory, String) {
        let directory = try TemporaryConfigDirectory(files: [
            "nats.json": """
            {"broker": {"type": "nats_jetstream", "url": "\(server.url)", "ack_wait": \(ackWait), "batch": \(batch),
                        "pull_expires": 5},
             "result_backend": {"type": "dummy"},
             "tasks": {"modules": ["examples"]},
             "worker": {"workers": 1, "max_async_tasks": \(maxAsyncTasks), "shutdown_timeout": 20, "log_level": "debug"}}
            """
        ])
        return (directory, directory.path("nats.json"))
    }

    /// The durable consumer as the server reports it on `/jsz?consumers=true` (`num_redelivered`,
    /// `num_ack_pending`, `num_pending`, `delivered`…), or `nil` when it is not there.
    static func consumer(_ server: NATSServer, named name: String = "taskiq_durable") throws -> [String: Any]? {
        let jsz = try server.monitoring("/jsz?consumers=true")
        for account in jsz["account_details"] as? [[String: Any]] ?? [] {
            for stream in account["stream_detail"] as? [[String: Any]] ?? [] {
                for consumer in stream["consumer_detail"] as? [[String: Any]] ?? [] where consumer["name"] as? String == name {
                    return consumer
                }
            }
        }
        return nil
    }

    /// How many messages the stream `taskiq_jetstream` holds, as `/jsz?streams=true` reports it.
    static func storedMessages(_ server: NATSServer) throws -> Int? {
        let jsz = try server.monitoring("/jsz?streams=true")
        for account in jsz["account_details"] as? [[String: Any]] ?? [] {
            for stream in account["stream_detail"] as? [[String: Any]] ?? [] where stream["name"] as? String == "taskiq_jetstream" {
                return number(stream, "state.messages")
            }
        }
        return nil
    }

    /// An integer field of a consumer report (`num_ack_pending`), or of one of its objects
    /// (`delivered.consumer_seq`).
    static func number(_ consumer: [String: Any]?, _ path: String) -> Int? {
        var value: Any? = consumer
        for key in path.split(separator: ".") { value = (value as? [String: Any])?[String(key)] }
        return (value as? NSNumber)?.intValue
    }

    /// Waits until the server holds nothing unacknowledged and nothing undelivered; returns the
    /// consumer's report.
    static func settledConsumer(_ server: NATSServer, seconds: Double = 30) async throws -> [String: Any]? {
        try await eventually("the consumer has nothing pending or unacknowledged", seconds: seconds, every: .milliseconds(100)) {
            let consumer = try? Self.consumer(server)
            return number(consumer, "num_ack_pending") == 0 && number(consumer, "num_pending") == 0
        }
        return try consumer(server)
    }

    @Test func aWorkerKilledWith300TasksInFlightLosesNone() async throws {
        try await NATSServer.with(monitoring: true) { server in
            // batch and max_async_tasks of 300: the first worker pulls and starts every task at
            // once; ack_wait 2 s brings them back soon after the kill.
            let (directory, file) = try Self.config(server, ackWait: 2, batch: 300, maxAsyncTasks: 300)
            // Everything is queued before the first worker starts, so it takes all 300 in one go; 20 s
            // each: none can finish between the last one starting and the kill, even on a loaded
            // machine (10 s tasks kicked into a running worker finished before the 300th started in CI).
            let system = try TaskiqSystem.load(file, modules: [ExampleTasks.module], environment: [:])
            try await system.startup()
            let kicked = Set(try await RedisWorkerProcessTests.kick(system, count: 300, seconds: 20))
            #expect(kicked.count == 300)
            let first = try RunningProcess(["worker", "-c", file])
            _ = try await first.waitFor("all 300 running in the first worker", seconds: 60) { lines in
                Set(RabbitMQWorkerProcessTests.started(lines)).count >= 300 ? true : nil
            }
            first.signal(SIGKILL)
            _ = try await first.waitForExit()
            let killed = ContinuousClock.now
            let finishedBeforeKill = RedisWorkerProcessTests.succeeded(first.lines)
            #expect(finishedBeforeKill.isEmpty, "all 300 were in flight when the worker died")
            let held = Self.number(try Self.consumer(server), "num_ack_pending")
            #expect(held == 300, "the server knows the dead worker held 300 unacknowledged deliveries")

            // The server delivers what the dead worker held again once ack_wait passes without +WPI.
            let second = try RunningProcess(["worker", "-c", file])
            let restarted = try await second.waitFor("all 300 started on the second worker", seconds: 60) { lines -> Duration? in
                kicked.isSubset(of: Set(RabbitMQWorkerProcessTests.started(lines))) ? ContinuousClock.now - killed : nil
            }
            let done = try await second.waitFor("all 300 done on the second worker", seconds: 90) { lines -> [String]? in
                let done = RedisWorkerProcessTests.succeeded(lines)
                return kicked.isSubset(of: Set(done)) ? done : nil
            }
            let allDone = ContinuousClock.now - killed
            #expect(Set(done) == kicked, "0 lost, nothing unknown")
            let duplicates = done.count - Set(done).count
            #expect(duplicates == 0, "each ran once on the second worker")
            let consumer = try await Self.settledConsumer(server)
            print(
                """
                NATS worker SIGKILL: 300 kicked, 300 in flight at the kill, \(Set(done).count) ran on the second worker, \
                \(duplicates) ran twice, 0 lost; all restarted \(restarted) and done \(allDone) after the kill; \
                consumer delivered \(Self.number(consumer, "delivered.consumer_seq") ?? -1) times
                """)
            // Every delivery counts, redeliveries too: 300 to the first worker, 300 again to the
            // second. More only when a starved machine sent a +WPI after ack_wait; those repeats of
            // running tasks are not started twice (checked above).
            #expect((Self.number(consumer, "delivered.consumer_seq") ?? 0) >= 600, "each delivered once more after the kill")
            second.signal(SIGTERM)
            #expect(try await second.waitForExit() == 0)
            try await system.shutdown()
            _ = directory
        }
    }

    /// IDs of kicks that the stream acknowledged, with when, and the kicks that failed.
    final class KickLedger: Sendable {
        let kicked = Mutex<[(id: String, at: ContinuousClock.Instant)]>([])
        let failures = Mutex<[String]>([])
        let stopping = Atomic<Bool>(false)

        var ids: [String] { kicked.withLock { $0.map(\.id) } }
        var count: Int { kicked.withLock { $0.count } }

        /// Kicks `examples.sleep(seconds)` from `producers` concurrent loops until ``stop()``.
        func run(_ system: TaskiqSystem, producers: Int, seconds: Double) async {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<producers {
                    group.addTask {
                        while !self.stopping.load(ordering: .relaxed) {
                            do {
                                let id = try await system.kick("examples.sleep", args: [.double(seconds)])
                                self.kicked.withLock { $0.append((id, .now)) }
                            } catch {
                                self.failures.withLock { $0.append("\(error)") }
                            }
                        }
                    }
                }
            }
        }

        func stop() { stopping.store(true, ordering: .relaxed) }
    }

    @Test func aWorkerAndAKickerCarryOnAcrossAServerKilledAndRestartedWithItsStore() async throws {
        try await NATSServer.with(monitoring: true) { server in
            let (directory, file) = try Self.config(server, ackWait: 2, batch: 50, maxAsyncTasks: 20)
            let worker = try RunningProcess(["worker", "-c", file])
            try await worker.waitForLine(containing: "worker ready")
            let system = try TaskiqSystem.load(file, modules: [ExampleTasks.module], environment: [:])
            try await system.startup()

            let ledger = KickLedger()
            let kicking = Task { await ledger.run(system, producers: 8, seconds: 0.01) }
            defer { ledger.stop() }
            _ = try await worker.waitFor("200 tasks done before the crash") { lines in
                RedisWorkerProcessTests.succeeded(lines).count >= 200 ? true : nil
            }
            let kickedBeforeKill = ledger.count
            let doneBeforeKill = Set(RedisWorkerProcessTests.succeeded(worker.lines)).count
            await server.kill()
            let killed = ContinuousClock.now
            // Restarted once both sides saw the connection go, so both really reconnect.
            _ = try await worker.waitForLine(containing: "lost the NATS connection", seconds: 30)
            let kicker = try #require(system.broker as? NATSJetStreamBroker)
            try await eventually("the kicker saw the connection go", seconds: 30) { kicker.client.connectedServer == nil }
            let noticed = ContinuousClock.now
            try await server.restart()
            let restarted = ContinuousClock.now
            let workerBack = try await worker.waitFor("the worker reconnected", seconds: 30) { lines -> Duration? in
                lines.contains { $0.contains("reconnected to NATS") } ? ContinuousClock.now - restarted : nil
            }
            // The kicker carries on by itself: kicks waiting through the outage, then new ones.
            try await eventually("200 kicks acknowledged after the restart", seconds: 30, every: .milliseconds(20)) {
                ledger.kicked.withLock { kicks in kicks.filter { $0.at > restarted }.count >= 200 }
            }
            ledger.stop()
            await kicking.value
            let kicks = ledger.kicked.withLock { $0 }
            let kickerBack = kicks.first { $0.at > restarted }.map { $0.at - restarted }
            let expected = Set(kicks.map(\.id))
            #expect(expected.count == kicks.count, "each kick has its own task ID")
            let failures = ledger.failures.withLock { $0 }
            #expect(failures.isEmpty, "no kick failed: \(failures.prefix(3))")

            let done = try await worker.waitFor("every acknowledged kick done", seconds: 60) { lines -> [String]? in
                let done = RedisWorkerProcessTests.succeeded(lines)
                return expected.isSubset(of: Set(done)) ? done : nil
            }
            let consumer = try await Self.settledConsumer(server)
            let duplicates = done.count - Set(done).count
            // Kicks retried across the restart carry the same Nats-Msg-Id: the stream stored each once.
            let stored = try Self.storedMessages(server)
            #expect(stored == kicks.count, "the stream holds each acknowledged kick once")
            print(
                """
                NATS server SIGKILL + restart: \(kicks.count) kicked (\(kickedBeforeKill) before the kill), \
                \(doneBeforeKill) done before it; server down \(restarted - killed) (both clients saw the loss after \
                \(noticed - killed), the restart took \(restarted - noticed)); worker reconnected \(workerBack) and \
                the kicker's first acknowledged kick came \(kickerBack.map { "\($0)" } ?? "never") after the restart; \
                \(Set(done).count) distinct done, \(duplicates) ran twice, \(expected.subtracting(done).count) lost; \
                the stream stores \(stored ?? -1) messages; the consumer delivered \(Self.number(consumer, "delivered.consumer_seq") ?? -1) times
                """)
            #expect(kickerBack != nil)
            #expect(kicker.client.connectedServer != nil, "the kicker is connected again")
            worker.signal(SIGTERM)
            #expect(try await worker.waitForExit() == 0)
            try await system.shutdown()
            _ = directory
        }
    }

    /// The largest `num_redelivered` seen, and how many times the consumer was looked at.
    final class RedeliveryWatch: Sendable {
        private let state = Mutex((most: 0, samples: 0))
        func record(_ redelivered: Int) { state.withLock { $0 = (max($0.most, redelivered), $0.samples + 1) } }
        var most: Int { state.withLock { $0.most } }
        var samples: Int { state.withLock { $0.samples } }
    }

    @Test func aTaskFourTimesTheAckWaitRunsOnceAndIsNeverRedelivered() async throws {
        try await NATSServer.with(monitoring: true) { server in
            let (directory, file) = try Self.config(server, ackWait: 2, batch: 10, maxAsyncTasks: 10)
            let worker = try RunningProcess(["worker", "-c", file])
            try await worker.waitForLine(containing: "worker ready")
            let system = try TaskiqSystem.load(file, modules: [ExampleTasks.module], environment: [:])
            try await system.startup()
            // 8 s is four ack waits: without +WPI the server would deliver each again after 2 s,
            // and the worker, with free slots, would start it a second time.
            // Taken before the kicks: the worker may start a task before the kick call returns.
            let started = ContinuousClock.now
            let kicked = Set(try await RedisWorkerProcessTests.kick(system, count: 3, seconds: 8))
            // num_redelivered counts unacknowledged messages delivered more than once: watched
            // while the tasks run, since an ack clears it.
            let watch = RedeliveryWatch()
            let watching = Task {
                while !Task.isCancelled {
                    if let redelivered = Self.number(try? Self.consumer(server), "num_redelivered") { watch.record(redelivered) }
                    try? await Task.sleep(for: .milliseconds(200))  // a sampling interval, not a synchronisation
                }
            }
            let done = try await worker.waitFor("the three long tasks done", seconds: 45) { lines -> [String]? in
                let done = RedisWorkerProcessTests.succeeded(lines)
                return kicked.isSubset(of: Set(done)) ? done : nil
            }
            let elapsed = ContinuousClock.now - started
            watching.cancel()
            await watching.value
            let starts = RabbitMQWorkerProcessTests.started(worker.lines)
            #expect(starts.count == 3, "each started once: \(starts)")
            #expect(done.count == 3, "each ran once: \(done)")
            // The worker's and this process's clocks start a few milliseconds apart.
            #expect(elapsed >= .milliseconds(7900))
            let consumer = try await Self.settledConsumer(server)
            #expect(watch.most == 0, "the server redelivered nothing while they ran")
            #expect(watch.samples >= 10, "the consumer was watched through the run")
            // Every delivery, redeliveries too, takes a consumer sequence number.
            #expect(Self.number(consumer, "delivered.consumer_seq") == 3, "three deliveries in all: \(consumer ?? [:])")
            #expect(Self.number(consumer, "num_redelivered") == 0)
            print(
                """
                NATS +WPI: 3 tasks of 8 s with ack_wait 2 s done in \(elapsed); \(starts.count) starts; \
                consumer delivered \(Self.number(consumer, "delivered.consumer_seq") ?? -1), \
                num_redelivered at most \(watch.most) in \(watch.samples) samples during the run
                """)
            worker.signal(SIGTERM)
            #expect(try await worker.waitForExit() == 0)
            try await system.shutdown()
            _ = directory
        }
    }

    @Test func longTasksRunningAcrossAServerRestartAreKeptAliveOnTheNewConnection() async throws {
        try await NATSServer.with(monitoring: true) { server in
            let (directory, file) = try Self.config(server, ackWait: 2, batch: 10, maxAsyncTasks: 10)
            let worker = try RunningProcess(["worker", "-c", file])
            try await worker.waitForLine(containing: "worker ready")
            let system = try TaskiqSystem.load(file, modules: [ExampleTasks.module], environment: [:])
            try await system.startup()
            let kicked = Set(try await RedisWorkerProcessTests.kick(system, count: 3, seconds: 8))
            _ = try await worker.waitFor("the three long tasks running") { lines in
                kicked.isSubset(of: Set(RabbitMQWorkerProcessTests.started(lines))) ? true : nil
            }
            // The restarted server recovers the three deliveries as pending (then only +WPI over
            // the new connection keeps them from coming back for the 4 ack waits they still run),
            // or, killed before it wrote them, delivers them again to the worker that runs them.
            await server.kill()
            try await server.restart()
            let done = try await worker.waitFor("the three long tasks done", seconds: 45) { lines -> [String]? in
                let done = RedisWorkerProcessTests.succeeded(lines)
                return kicked.isSubset(of: Set(done)) ? done : nil
            }
            #expect(worker.lines.contains { $0.contains("reconnected to NATS") })
            let starts = RabbitMQWorkerProcessTests.started(worker.lines)
            #expect(starts.count == 3, "each started once: \(starts)")
            #expect(done.count == 3, "each ran once: \(done)")
            // A server SIGKILLed before it wrote the consumer's state delivers the running tasks
            // again after its restart; the worker keeps them under the new deliveries instead of
            // starting them twice (the starts above), so more than three deliveries is allowed here.
            let consumer = try await Self.settledConsumer(server)
            #expect((Self.number(consumer, "delivered.consumer_seq") ?? 0) >= 3, "\(consumer ?? [:])")
            #expect(Self.number(consumer, "num_ack_pending") == 0, "every delivery, old or new, settled: \(consumer ?? [:])")
            print(
                "NATS +WPI across a server restart: 3 tasks of 8 s, ack_wait 2 s; \(starts.count) starts, \(done.count) done; "
                    + "consumer delivered \(Self.number(consumer, "delivered.consumer_seq") ?? -1)")
            worker.signal(SIGTERM)
            #expect(try await worker.waitForExit() == 0)
            try await system.shutdown()
            _ = directory
        }
    }
}
