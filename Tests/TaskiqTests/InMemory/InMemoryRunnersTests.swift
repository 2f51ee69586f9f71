import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq

/// The in-memory broker runs kicked tasks on at most `maxAsyncTasks` runners, queueing the rest
/// as bytes, and grows past that only while every runner waits for a subtask.
@Suite struct InMemoryRunnersTests {
    /// Counts tasks running at once and the most seen.
    final class Concurrency: Sendable {
        let running = Atomic<Int>(0)
        let most = Atomic<Int>(0)
        let arrived = Atomic<Int>(0)

        func enter() {
            let now = running.add(1, ordering: .relaxed).newValue
            arrived.add(1, ordering: .relaxed)
            var seen = most.load(ordering: .relaxed)
            while now > seen {
                let (exchanged, original) = most.compareExchange(expected: seen, desired: now, ordering: .relaxed)
                if exchanged { break }
                seen = original
            }
        }

        func leave() { running.subtract(1, ordering: .relaxed) }
    }

    @Test func atMostMaxAsyncTasksRunAtOnceAndTheRestWaitQueued() async throws {
        let broker = InMemoryBroker(maxAsyncTasks: 3)
        let gate = AsyncGate()
        let seen = Concurrency()
        let held = broker.task("held") { (n: Int) async throws -> Int in
            seen.enter()
            await gate.wait()
            seen.leave()
            return n
        }
        var handles: [TaskHandle<Int>] = []
        for n in 0..<20 { handles.append(try await held.kiq(n)) }
        try await eventually("three tasks reach the gate") { seen.arrived.load(ordering: .relaxed) == 3 }
        // Runners are claimed as jobs are queued, so every kick has already decided its runner.
        #expect(broker.runnerCount == 3)
        #expect(seen.arrived.load(ordering: .relaxed) == 3)
        await gate.open()
        for (n, handle) in handles.enumerated() {
            #expect(try await handle.waitResult(timeout: .seconds(10)).returnValue == n)
        }
        #expect(seen.most.load(ordering: .relaxed) == 3)
        try await broker.shutdown()
    }

    /// One runner, and tasks that each wait for a subtask two levels deep: without growth the
    /// first outer task would hold the only runner while its subtask waits behind it, forever.
    @Test func aTaskThatAwaitsASubtaskDoesNotDeadlockAFullBroker() async throws {
        let broker = InMemoryBroker(maxAsyncTasks: 1)
        let inner = broker.task("inner") { (n: Int) async throws -> Int in n * 2 }
        let middle = broker.task("middle") { (n: Int) async throws -> Int in
            try await inner.kiq(n).waitResult(timeout: .seconds(30)).returnValue! + 1
        }
        let outer = broker.task("outer") { (n: Int) async throws -> Int in
            try await middle.kiq(n).waitResult(timeout: .seconds(30)).returnValue! + 1
        }
        var kicked: [TaskHandle<Int>] = []
        for n in 0..<8 { kicked.append(try await outer.kiq(n)) }
        let handles = kicked
        try await withTimeout(seconds: 30) {
            for (n, handle) in handles.enumerated() {
                let result = try await handle.waitResult(timeout: .seconds(30))
                #expect(result.returnValue == n * 2 + 2, "\(result)")
            }
        }
        // The runners started for waiting tasks retire once the queue is empty.
        try await eventually("extra runners retire") { broker.runnerCount <= 1 }
        try await broker.shutdown()
    }

    /// A task that waits for a subtask while the broker has room is not a reason to grow.
    @Test func waitingWithRunnersToSpareStartsNoExtraRunner() async throws {
        let broker = InMemoryBroker(maxAsyncTasks: 4)
        let inner = broker.task("inner") { (n: Int) async throws -> Int in n }
        let outer = broker.task("outer") { (n: Int) async throws -> Int in
            try await inner.kiq(n).waitResult(timeout: .seconds(30)).returnValue!
        }
        #expect(try await outer.kiq(7).waitResult(timeout: .seconds(30)).returnValue == 7)
        #expect(broker.runnerCount <= 2)
        try await broker.shutdown()
    }

    @Test func noLimitRunsEveryKickedTaskAtOnce() async throws {
        let broker = InMemoryBroker(maxAsyncTasks: 0)
        let gate = AsyncGate()
        let seen = Concurrency()
        let held = broker.task("held") { () async throws -> Void in
            seen.enter()
            await gate.wait()
            seen.leave()
        }
        for _ in 0..<50 { _ = try await held.kiq() }
        try await eventually("all fifty reach the gate") { seen.arrived.load(ordering: .relaxed) == 50 }
        await gate.open()
        await broker.waitAll()
        try await broker.shutdown()
    }

    /// Delayed kicks wait in a heap, not as sleeping tasks: they run in due order whatever the
    /// push order, and one pushed later but due sooner is not held behind an earlier push.
    @Test func delayedKicksRunInDueOrderAndAnEarlierOneWakesTheTimer() async throws {
        let broker = InMemoryBroker(maxAsyncTasks: 1)
        let ran = EventStream<String>()
        let record = broker.task("record") { (name: String) async throws -> Void in ran.send(name) }
        let far = try await record.kicker().withLabels(["delay": 3600]).kiq("far")
        _ = try await record.kicker().withLabels(["delay": 0.3]).kiq("third")
        _ = try await record.kicker().withLabels(["delay": 0.1]).kiq("first")
        _ = try await record.kicker().withLabels(["delay": 0.2]).kiq("second")
        _ = try await record.kiq("now")
        // The timer first slept towards the hour-long delay: without the wake-up these would
        // wait an hour too.
        let order = try await withTimeout(seconds: 20) { try await ran.first(4) }
        #expect(order == ["now", "first", "second", "third"])
        try await far.cancel()
        // Not shut down: shutdown() waits for every kicked task, the hour-long one included.
    }

    @Test func aKickAfterShutdownIsRefusedAndNothingIsLost() async throws {
        let broker = InMemoryBroker(maxAsyncTasks: 1)
        let add = broker.task("add") { (a: Int, b: Int) async throws -> Int in a + b }
        let handles = try await (0..<100).asyncMap { try await add.kiq($0, 1) }
        try await broker.shutdown()
        // shutdown() waited for the queue to drain: every result is stored.
        for (n, handle) in handles.enumerated() {
            #expect(try await handle.getResult().returnValue == n + 1)
        }
        let error = await #expect(throws: TaskiqError.self) { _ = try await add.kiq(1, 2) }
        #expect(error?.code == .sendFailed)
        #expect((error?.underlying as? TaskiqError)?.code == .shutDown)
    }
}

extension Sequence {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var mapped: [T] = []
        for element in self { mapped.append(try await transform(element)) }
        return mapped
    }
}
