import Foundation
import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqRedis

extension Redis {
    @Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage))
    struct RedisStreamBrokerTests {
        @Test func kickListenAndAcknowledge() async throws {
            try await RedisServer.with { server in
                let broker = try Redis.streamBroker(server)
                let add = broker.task("add") { (a: Int, b: Int) async throws -> Int in a + b }
                let client = try Redis.client(server)
                defer { client.close() }
                try await Redis.withWorker(broker) { receiver in
                    let handles = try await withThrowingTaskGroup(of: TaskHandle<Int>.self) { group in
                        for i in 0..<50 { group.addTask { try await add.kiq(i, 1) } }
                        return try await group.reduce(into: []) { $0.append($1) }
                    }
                    for handle in handles { #expect(try await handle.waitResult(timeout: .seconds(10)).isErr == false) }
                    try await eventually("every entry acknowledged") { try await Redis.pendingCount(client) == 0 }
                    #expect(receiver.statistics.succeeded == 50)
                }
                let entry = try await client.send(["XRANGE", "taskiq", "-", "+", "COUNT", 1]).array?.first
                let fields = entry?.array?.last?.array?.compactMap(\.string)
                #expect(fields?.first == "data", "taskiq-redis's single field 'data'")
                #expect(fields?.last?.hasPrefix(#"{"task_id": "#) == true)
            }
        }

        @Test func entriesAddedBeforeAnyGroupExistedAreDelivered() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                try await client.send(["XADD", "taskiq", "*", "data", Redis.message("early", "add", args: "[2, 3]")])
                #expect(try await client.send(["EXISTS", "taskiq"]).int == 1)
                let broker = try Redis.streamBroker(server)
                _ = broker.task("add") { (a: Int, b: Int) async throws -> Int in a + b }
                try await Redis.withWorker(broker) { _ in
                    let result = try await broker.resultBackend.waitResult("early", timeout: .seconds(10), withLogs: false)
                    #expect(result.returnValue == 5)
                }
            }
        }

        @Test(arguments: [AckType.whenReceived, .whenSaved])
        func ackTypeDecidesWhenTheEntryLeavesThePendingList(_ ackType: AckType) async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                let broker = try Redis.streamBroker(server)
                let gate = Redis.Gate()
                let started = EventStream<Void>()
                let hold = broker.task("hold") { () async throws -> Int in
                    started.send(())
                    try await gate.wait()
                    return 1
                }
                try await Redis.withWorker(broker) { _ in
                    let handle = try await hold.kicker().withLabels(["ack_type": .string(ackType.rawValue)]).kiq()
                    _ = try await started.first(1)
                    let pendingWhileRunning = try await Redis.pendingCount(client)
                    #expect(pendingWhileRunning == (ackType == .whenReceived ? 0 : 1))
                    gate.open()
                    #expect(try await handle.waitResult(timeout: .seconds(10)).returnValue == 1)
                    try await eventually("acknowledged after saving") { try await Redis.pendingCount(client) == 0 }
                }
            }
        }

        @Test func entriesOfADeadConsumerAreClaimedButALiveWorkersAreNot() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                // Two live workers; the second has a 10 s XAUTOCLAIM backstop (1 s, then 3 s, were shorter than CPU stalls of a loaded 2-core CI run) that would take the
                // first one's long-running entry if the first did not keep it fresh.
                let first = try Redis.streamBroker(server) { $0.consumerName = "first" }
                let second = try Redis.streamBroker(server) {
                    $0.consumerName = "second"
                    $0.idleTimeout = .seconds(10)
                }
                let gate = Redis.Gate()
                let starts = Atomic<Int>(0)
                let started = EventStream<Void>()
                for broker in [first, second] {
                    _ = broker.task("hold") { () async throws -> Int in
                        starts.add(1, ordering: .relaxed)
                        started.send(())
                        try await gate.wait()
                        return 1
                    }
                    _ = broker.task("add") { (a: Int, b: Int) async throws -> Int in a + b }
                }
                try await Redis.withWorker(first) { _ in
                    try await Redis.withWorker(second) { _ in
                        try await client.send(["XADD", "taskiq", "*", "data", Redis.message("long", "hold")])
                        _ = try await started.first(1)
                        let holder = try await client.send(["XPENDING", "taskiq", "taskiq", "-", "+", 10]).array?.first?.array
                        let owner = holder?[1].string
                        // A consumer that read two entries and died: no lease, and it never acks.
                        // MULTI keeps the live workers from taking the entries first.
                        let replies = try await client.pipeline([
                            ["MULTI"],
                            ["XADD", "taskiq", "*", "data", Redis.message("orphan1", "add", args: "[20, 1]")],
                            ["XADD", "taskiq", "*", "data", Redis.message("orphan2", "add", args: "[20, 1]")],
                            ["XREADGROUP", "GROUP", "taskiq", "dead", "COUNT", 10, "STREAMS", "taskiq", ">"],
                            ["EXEC"],
                        ])
                        let stolen = RedisStreamEntry.fromRead(replies.last?.array?.last ?? .null(.resp3)).count
                        #expect(stolen == 2)
                        let clock = ContinuousClock.now
                        // Either live worker may claim them; each stores results in its own backend.
                        for id in ["orphan1", "orphan2"] {
                            try await eventually("\(id) claimed and run by a live worker", seconds: 40) {
                                let here = try await first.resultBackend.isResultReady(id)
                                let there = try await second.resultBackend.isResultReady(id)
                                return here || there
                            }
                            let backend = try await first.resultBackend.isResultReady(id) ? first.resultBackend : second.resultBackend
                            #expect(try await backend.getResult(id, withLogs: false).returnValue == 21)
                        }
                        let elapsed = clock.duration(to: .now)
                        #expect(
                            elapsed >= .milliseconds(4900), "claimed only once the lease-less consumer was idle for lease_ttl (\(elapsed))")
                        #expect(elapsed < .seconds(25), "claimed within seconds (\(elapsed))")
                        // More than a lease_ttl and several maintenance passes later, the long
                        // task still belongs to the worker that runs it, delivered once.
                        let still = try await client.send(["XPENDING", "taskiq", "taskiq", "-", "+", 10]).array ?? []
                        let long = still.compactMap(\.array).first { $0[1].string == owner }
                        #expect(long?[3].int == 1, "delivered once: \(still)")
                        #expect(starts.load(ordering: .relaxed) == 1)
                        gate.open()
                        try await eventually("everything acknowledged") { try await Redis.pendingCount(client) == 0 }
                    }
                }
                #expect(try await client.send(["EXISTS", "taskiq:lease:taskiq:taskiq:first"]).int == 0, "the lease is deleted on shutdown")
            }
        }

        @Test func entriesDeliveredTooOftenAndCorruptEntriesAreDeadLettered() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                let broker = try Redis.streamBroker(server) { $0.maxDeliveries = 2 }
                let runs = Atomic<Int>(0)
                _ = broker.task("add") { (a: Int, b: Int) async throws -> Int in
                    runs.add(1, ordering: .relaxed)
                    return a + b
                }
                try await RedisStreamBroker.createGroup(client: client, stream: "taskiq", group: "taskiq")
                let poison = try await client.send(["XADD", "taskiq", "*", "data", Redis.message("poison", "add", args: "[1, 1]")]).string!
                _ = try await client.send(["XREADGROUP", "GROUP", "taskiq", "crashy", "COUNT", 1, "STREAMS", "taskiq", ">"])
                try await client.send(["XCLAIM", "taskiq", "taskiq", "crashy", 0, poison])  // delivered twice now
                let corrupt = try await client.send(["XADD", "taskiq", "*", "payload", "not taskiq"]).string!
                try await client.send(["XADD", "taskiq", "*", "data", Redis.message("fine", "add", args: "[2, 2]")])
                try await Redis.withWorker(broker) { _ in
                    #expect(try await broker.resultBackend.waitResult("fine", timeout: .seconds(10), withLogs: false).returnValue == 4)
                    try await eventually("both dead-lettered") { try await client.send(["XLEN", "taskiq:dead"]).int == 2 }
                    try await eventually("nothing pending") { try await Redis.pendingCount(client) == 0 }
                }
                #expect(runs.load(ordering: .relaxed) == 1, "the poison message never ran")
                let dead = try await client.send(["XRANGE", "taskiq:dead", "-", "+"]).array ?? []
                let records = dead.compactMap { entry -> [String: String]? in
                    guard let fields = entry.array?.last?.pairs else { return nil }
                    return Dictionary(fields.map { ($0.key.string ?? "", $0.value.string ?? "") }, uniquingKeysWith: { a, _ in a })
                }
                let byID = Dictionary(records.map { ($0["original_id"] ?? "", $0) }, uniquingKeysWith: { a, _ in a })
                #expect(byID[corrupt]?["reason"]?.contains("no 'data' field") == true, "\(records)")
                #expect(byID[poison]?["reason"]?.contains("max_deliveries") == true, "\(records)")
                #expect(byID[poison]?["delivery_count"] == "3")
                #expect(byID[poison]?["data"]?.contains("poison") == true)
                // The same letters through the DeadLetterQueue protocol the CLI uses.
                let reader = try RedisStreamDeadLetterQueue(url: server.url, stream: broker.ownDeadLetters.stream)
                let letters = try await reader.list(order: .oldestFirst, limit: nil)
                try await reader.shutdown()
                #expect(Set(letters.map(\.reason)) == [.deliveryLimit, .undecodable])
                let limit = letters.first { $0.reason == .deliveryLimit }
                #expect(limit?.originalID == poison && limit?.deliveries == 3 && limit?.queue == "taskiq")
                #expect(limit?.taskName == "add" && limit?.taskID == "poison")
                #expect(limit?.data == Redis.message("poison", "add", args: "[1, 1]"))
            }
        }

        @Test func aRestartedConsumerFirstReReadsItsOwnPendingEntries() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                try await RedisStreamBroker.createGroup(client: client, stream: "taskiq", group: "taskiq")
                try await client.send(["XADD", "taskiq", "*", "data", Redis.message("mine", "add", args: "[5, 5]")])
                _ = try await client.send(["XREADGROUP", "GROUP", "taskiq", "fixed", "COUNT", 1, "STREAMS", "taskiq", ">"])
                // The lease of a live process named "fixed" would keep others away; the restarted
                // "fixed" takes its entry back at once, without waiting for anything to expire.
                let broker = try Redis.streamBroker(server) {
                    $0.consumerName = "fixed"
                    $0.leaseTTL = .seconds(60)
                }
                _ = broker.task("add") { (a: Int, b: Int) async throws -> Int in a + b }
                try await Redis.withWorker(broker) { _ in
                    let result = try await broker.resultBackend.waitResult("mine", timeout: .seconds(30), withLogs: false)
                    #expect(result.returnValue == 10)
                }
            }
        }

        @Test func theQueueNameLabelRoutesAMessageToAnotherStream() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                let producer = try Redis.streamBroker(server)
                let worker = try Redis.streamBroker(server) { $0.queueName = "other" }
                let add = producer.task("add") { (a: Int, b: Int) async throws -> Int in a + b }
                _ = worker.task("add") { (a: Int, b: Int) async throws -> Int in a + b }
                try await producer.startup()
                let handle = try await add.kicker().withLabels(["queue_name": "other"]).kiq(7, 8)
                #expect(try await client.send(["XLEN", "other"]).int == 1)
                #expect(try await client.send(["XLEN", "taskiq"]).int == 0)
                try await Redis.withWorker(worker) { _ in
                    let result = try await worker.resultBackend.waitResult(handle.taskID, timeout: .seconds(10), withLogs: false)
                    #expect(result.returnValue == 15)
                }
                try await producer.shutdown()
            }
        }

        @Test func shutdownHandsBackEntriesWhoseReadReplyNeverArrived() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                // A long lease: nobody else would claim the entries for a minute.
                let broker = try Redis.streamBroker(server) {
                    $0.consumerName = "stopping"
                    $0.leaseTTL = .seconds(60)
                }
                try await broker.startup()
                _ = try await broker.listen()
                for index in 0..<3 {
                    try await client.send(["XADD", "taskiq", "*", "data", Redis.message("stranded-\(index)", "add")])
                }
                // The read a shutdown cancels may already have been served: Redis made its entries
                // pending for the consumer, which never saw them. Served here on the consumer's behalf.
                _ = try await client.send(["XREADGROUP", "GROUP", "taskiq", "stopping", "COUNT", 10, "STREAMS", "taskiq", ">"])
                #expect(try await Redis.pendingCount(client) == 3)
                try await broker.shutdown()
                #expect(try await Redis.pendingCount(client) == 0, "handed back, not left until the lease expires")
                let reply = try await client.send(["XREADGROUP", "GROUP", "taskiq", "other", "COUNT", 10, "STREAMS", "taskiq", ">"])
                let copies = RedisStreamEntry.fromRead(reply).compactMap { $0.data.map { String(decoding: $0, as: UTF8.self) } }
                #expect(copies.count == 3)
                for index in 0..<3 { #expect(copies.contains { $0.contains("stranded-\(index)") }) }
            }
        }

        /// A backlog of long tasks waiting in the stream runs at full max_async_tasks at once
        /// (it ran about 3 at a time).
        @Test func aBacklogRunsAtFullConcurrency() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                try await RedisStreamBroker.createGroup(client: client, stream: "taskiq", group: "taskiq")
                for index in 0..<60 {
                    try await client.send(["XADD", "taskiq", "*", "data", Redis.message("long-\(index)", "hold")])
                }
                let broker = try Redis.streamBroker(server)
                let running = Atomic<Int>(0)
                let gate = AsyncGate()
                _ = broker.task("hold") { () async throws -> Int in
                    running.add(1, ordering: .relaxed)
                    await gate.wait()
                    return 1
                }
                try await Redis.withWorker(broker, ReceiverOptions(maxAsyncTasks: 60)) { receiver in
                    try await withTimeout(seconds: 30) { while running.load(ordering: .relaxed) < 60 { await Task.yield() } }
                    await gate.open()
                    try await eventually("all done") { receiver.statistics.succeeded == 60 }
                }
            }
        }

        /// stop() hands deliveries taken ahead back to the stream at once, while the running task
        /// still drains, instead of after the drain; their delivery count goes with them.
        @Test func stopHandsDeliveriesTakenAheadBackAtOnce() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                try await RedisStreamBroker.createGroup(client: client, stream: "taskiq", group: "taskiq")
                for index in 0..<3 {
                    try await client.send(["XADD", "taskiq", "*", "data", Redis.message("ahead-\(index)", "hold")])
                }
                let broker = try Redis.streamBroker(server)
                let started = EventStream<String>()
                let gate = AsyncGate()
                _ = broker.task("hold") { () async throws -> Int in
                    started.send(TaskContext.current?.message.taskID ?? "")
                    await gate.wait()
                    return 1
                }
                try await Redis.withWorker(broker, ReceiverOptions(maxAsyncTasks: 1, maxPrefetch: 2)) { receiver in
                    #expect(try await started.first(1) == ["ahead-0"])
                    try await withTimeout { while receiver.statistics.received < 3 { await Task.yield() } }
                    receiver.stop()
                    // While ahead-0 still runs: the other two are back on the stream, not pending here.
                    try await eventually("handed back") { try await client.send(["XLEN", "taskiq"]).int == 5 }
                    #expect(try await Redis.pendingCount(client) == 1)
                    let copies = RedisStreamEntry.fromList(try await client.send(["XRANGE", "taskiq", "-", "+"])).suffix(2)
                    #expect(copies.map(\.priorDeliveries) == [1, 1])
                    #expect(receiver.statistics.handedBack == 2)
                    await gate.open()
                }
                #expect(try await Redis.pendingCount(client) == 0)
            }
        }

        /// Entries the consumer read ahead (one XREADGROUP returns up to xread_count) but never
        /// delivered go back when the worker stops taking deliveries, not after its drain.
        @Test func stopHandsEntriesReadAheadBackBeforeTheDrain() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                try await RedisStreamBroker.createGroup(client: client, stream: "taskiq", group: "taskiq")
                for index in 0..<5 {
                    try await client.send(["XADD", "taskiq", "*", "data", Redis.message("read-\(index)", "hold")])
                }
                let broker = try Redis.streamBroker(server)
                let started = EventStream<String>()
                let gate = AsyncGate()
                _ = broker.task("hold") { () async throws -> Int in
                    started.send(TaskContext.current?.message.taskID ?? "")
                    await gate.wait()
                    return 1
                }
                try await Redis.withWorker(broker, ReceiverOptions(maxAsyncTasks: 1, maxPrefetch: 0)) { receiver in
                    #expect(try await started.first(1) == ["read-0"])
                    #expect(receiver.statistics.received == 1, "the other four wait in the consumer's buffer")
                    receiver.stop()
                    // While read-0 still runs: the four are back on the stream, not pending here.
                    try await eventually("handed back") { try await client.send(["XLEN", "taskiq"]).int == 9 }
                    #expect(try await Redis.pendingCount(client) == 1)
                    let copies = RedisStreamEntry.fromList(try await client.send(["XRANGE", "taskiq", "-", "+"])).suffix(4)
                    #expect(copies.map(\.priorDeliveries) == [1, 1, 1, 1])
                    await gate.open()
                }
                #expect(try await Redis.pendingCount(client) == 0)
                #expect(try await client.send(["XLEN", "taskiq"]).int == 9, "nothing handed back twice")
            }
        }

        /// A hand-back re-adds the entry under a new ID, whose Redis delivery count starts at 0:
        /// the original's count travels with it, so max_deliveries still ends the loop.
        @Test func shutdownsHandBackKeepsTheDeliveryCount() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                let stopping = try Redis.streamBroker(server) {
                    $0.consumerName = "stopping"
                    $0.leaseTTL = .seconds(60)
                    $0.maxDeliveries = 3
                }
                try await stopping.startup()
                _ = try await stopping.listen()
                let id = try await client.send(["XADD", "taskiq", "*", "data", Redis.message("looping", "add", args: "[1, 1]")]).string!
                _ = try await client.send(["XREADGROUP", "GROUP", "taskiq", "stopping", "COUNT", 10, "STREAMS", "taskiq", ">"])
                try await client.send(["XCLAIM", "taskiq", "taskiq", "stopping", 0, id])  // delivered twice now
                // The shutdown's look for entries whose read reply was lost reads it a third time.
                try await stopping.shutdown()
                #expect(try await Redis.pendingCount(client) == 0, "handed back")
                let worker = try Redis.streamBroker(server) { $0.maxDeliveries = 3 }
                let runs = Atomic<Int>(0)
                _ = worker.task("add") { (a: Int, b: Int) async throws -> Int in
                    runs.add(1, ordering: .relaxed)
                    return a + b
                }
                try await Redis.withWorker(worker) { _ in
                    try await eventually("dead-lettered") { try await client.send(["XLEN", "taskiq:dead"]).int == 1 }
                }
                #expect(runs.load(ordering: .relaxed) == 0, "a fourth delivery is past max_deliveries: it never runs")
                let reader = try RedisStreamDeadLetterQueue(url: server.url, stream: "taskiq:dead")
                let letters = try await reader.list(order: .oldestFirst, limit: nil)
                try await reader.shutdown()
                #expect(letters.first?.reason == .deliveryLimit && letters.first?.deliveries == 4, "\(letters)")
            }
        }

        /// A failed task whose dead letter cannot be stored is not handed back (its body would run
        /// again): the worker keeps the entry and stores the letter once it can, then acknowledges.
        @Test func aDeadLetterThatCannotBeStoredDoesNotRunTheBodyAgain() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                let broker = try Redis.streamBroker(server) { $0.idleTimeout = .seconds(3) }
                // Not a stream: every XADD to it fails with WRONGTYPE until the key is deleted.
                try await client.send(["SET", "letters", "not a stream"])
                let letters = try RedisStreamDeadLetterQueue(url: server.url, stream: "letters")
                broker.withDeadLetterQueue(letters, failedTasks: .all)
                let runs = Atomic<Int>(0)
                _ = broker.task("boom") { () async throws -> Int in
                    runs.add(1, ordering: .relaxed)
                    throw TaskiqError(.invalidArguments, "boom")
                }
                try await Redis.withWorker(broker) { receiver in
                    try await client.send(["XADD", "taskiq", "*", "data", Redis.message("boom", "boom")])
                    let result = try await broker.resultBackend.waitResult("boom", timeout: .seconds(30), withLogs: false)
                    #expect(result.isErr, "the outcome is stored while the letter waits")
                    // Long enough for idle_timeout to hand a released entry to XAUTOCLAIM.
                    // Eight attempts take about 7 s of backoff; a loaded CI machine stretches that past 10 s.
                    try await eventually("several failed attempts", seconds: 60) { receiver.statistics.deadLetterFailures >= 8 }
                    #expect(try await Redis.pendingCount(client) == 1, "kept pending meanwhile")
                    try await client.send(["DEL", "letters"])
                    // The next attempt comes after the backoff the failures grew (up to the consumer's
                    // maximum) plus an idle_timeout, which a loaded CI machine stretches past 10 s.
                    try await eventually("stored", seconds: 60) { try await client.send(["XLEN", "letters"]).int == 1 }
                    try await eventually("acknowledged", seconds: 30) { try await Redis.pendingCount(client) == 0 }
                }
                try await letters.shutdown()
                #expect(runs.load(ordering: .relaxed) == 1, "the body ran once")
            }
        }

        /// An entry this worker is running is not started again by its own `XAUTOCLAIM`, even when
        /// it looks idle there: here `idle_timeout` is 1 ms, shorter than the gap between renewing
        /// the entry and claiming, as after a stall longer than the real one (seen in CI: a 3.5 s
        /// stall against a 3 s `idle_timeout` ran a held task twice).
        @Test func anEntryThisWorkerRunsIsNotStartedAgainByItsOwnClaim() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                let broker = try Redis.streamBroker(server) { $0.idleTimeout = .milliseconds(1) }
                let runs = Atomic<Int>(0)
                let gate = Redis.Gate()
                _ = broker.task("held") { () async throws -> Int in
                    runs.add(1, ordering: .relaxed)
                    try await gate.wait()
                    return 1
                }
                try await Redis.withWorker(broker) { receiver in
                    try await client.send(["XADD", "taskiq", "*", "data", Redis.message("held", "held")])
                    // Each XAUTOCLAIM that takes the entry counts a delivery; the renewal's
                    // `XCLAIM … JUSTID` does not.
                    try await eventually("claimed by its own worker several times") {
                        let pending = try await client.send(["XPENDING", "taskiq", "taskiq", "-", "+", 10]).array ?? []
                        return (pending.first?.array?[3].int ?? 0) >= 4
                    }
                    #expect(runs.load(ordering: .relaxed) == 1)
                    gate.open()
                    _ = try await broker.resultBackend.waitResult("held", timeout: .seconds(10), withLogs: false)
                }
                #expect(runs.load(ordering: .relaxed) == 1, "the body ran once")
            }
        }

        @Test func shutdownIsPromptWhileIdleAndDeletesTheLease() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                let broker = try Redis.streamBroker(server) {
                    $0.xreadBlock = .seconds(30)
                    $0.consumerName = "idle"
                }
                try await broker.startup()
                let receiver = Receiver(broker: broker, options: ReceiverOptions(maxAsyncTasks: 1))
                let running = Task { try await receiver.run() }
                try await eventually("the lease is taken") {
                    try await client.send(["EXISTS", "taskiq:lease:taskiq:taskiq:idle"]).int == 1
                }
                let clock = ContinuousClock.now
                receiver.stop()
                try await withTimeout(seconds: 30) { try await running.value }
                try await broker.shutdown()
                let elapsed = clock.duration(to: .now)
                // Far below the block: the read was interrupted, not waited out (a tighter bound flakes
                // on a loaded machine).
                #expect(elapsed < .seconds(15), "stopped in \(elapsed) despite a 30 s XREADGROUP BLOCK")
                #expect(try await client.send(["EXISTS", "taskiq:lease:taskiq:taskiq:idle"]).int == 0)
                receiver.shutdown()
            }
        }

        @Test func aWrongPasswordIsAClearErrorAtStartup() async throws {
            try await RedisServer.with(password: "right") { server in
                let broker = try RedisStreamBroker(url: "redis://:wrong@127.0.0.1:\(server.port)")
                let error = await #expect(throws: RedisConnectionError.self) {
                    try await withTimeout(seconds: 10) { try await broker.startup() }
                }
                #expect(error?.code == .authenticationFailed)
                #expect(error?.description.contains("127.0.0.1:\(server.port)") == true, "\(String(describing: error))")
                #expect(error?.description.contains("WRONGPASS") == true, "\(String(describing: error))")
                try await broker.shutdown()
            }
        }

        @Test func anUnreachableServerIsAClearErrorAtStartupAndKick() async throws {
            let port = try RedisServer.freePort()
            let broker = try RedisStreamBroker(url: "redis://127.0.0.1:\(port)")
            let add = broker.task("add") { (a: Int, b: Int) async throws -> Int in a + b }
            let error = await #expect(throws: RedisConnectionError.self) {
                try await withTimeout(seconds: 10) { try await broker.startup() }
            }
            #expect(error?.code == .connectionRefused)
            #expect(error?.description.contains("127.0.0.1:\(port)") == true, "\(String(describing: error))")
            let kick = await #expect(throws: TaskiqError.self) {
                try await withTimeout(seconds: 10) { _ = try await add.kiq(1, 2) }
            }
            #expect("\(String(describing: kick))".contains("127.0.0.1:\(port)"))
            try await broker.shutdown()
        }
    }
}
