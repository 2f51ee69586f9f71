import Dispatch
import Foundation
import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq

@Suite struct SyncTaskPoolTests {
    struct Boom: Error, Equatable { var value: Int }

    final class Counters: Sendable {
        let running = Atomic<Int>(0)
        let peak = Atomic<Int>(0)
    }

    /// The kernel's name for the calling thread, as `ps -T` and debuggers show it.
    static func osThreadName() -> String {
        let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
        return comm.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func runsBodiesOnNamedPoolThreads() async throws {
        let pool = SyncTaskPool(size: 2)
        let names = try await withTimeout {
            try await pool.run { (Thread.current.name ?? "", Self.osThreadName()) }
        }
        #expect(names.0.hasPrefix("taskiq-sync-"))
        #expect(["taskiq-sync-1", "taskiq-sync-2"].contains(names.1))
        await pool.shutdown()
    }

    @Test func runsAtMostSizeJobsAtOnce() async throws {
        let pool = SyncTaskPool(size: 3)
        let counters = Counters()
        let gate = DispatchSemaphore(value: 0)
        let started = EventStream<Int>()
        try await withTimeout {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<10 {
                    group.addTask {
                        try await pool.run {
                            let now = counters.running.add(1, ordering: .sequentiallyConsistent).newValue
                            counters.peak.max(now, ordering: .sequentiallyConsistent)
                            started.send(index)
                            gate.wait()
                            counters.running.subtract(1, ordering: .sequentiallyConsistent)
                            return index
                        }
                    }
                }
                // Three jobs are now running and held at the gate: the pool is saturated.
                _ = try await started.first(3)
                for _ in 0..<10 { gate.signal() }
                var finished = 0
                for try await _ in group { finished += 1 }
                #expect(finished == 10)
            }
        }
        let peak = counters.peak.load(ordering: .sequentiallyConsistent)
        #expect(peak == 3)
        await pool.shutdown()
    }

    @Test func errorsPropagateToTheCaller() async throws {
        let pool = SyncTaskPool(size: 1)
        await #expect(throws: Boom(value: 7)) {
            try await pool.run { () throws -> Int in throw Boom(value: 7) }
        }
        #expect(try await pool.run { 41 + 1 } == 42)
        await pool.shutdown()
    }

    @Test func shutdownDrainsQueuedJobsThenRefusesNewOnes() async throws {
        let pool = SyncTaskPool(size: 1)
        let order = Mutex<[String]>([])
        let gate = DispatchSemaphore(value: 0)
        let started = EventStream<Void>()
        #expect(
            pool.enqueue {
                started.send(())
                gate.wait()
                order.withLock { $0.append("a") }
            })
        for name in ["b", "c", "d", "e"] {
            #expect(pool.enqueue { order.withLock { $0.append(name) } })
        }
        _ = try await started.first(1)
        pool.stopIntake()
        await #expect(throws: SyncTaskPoolError.self) {
            try await pool.run { 1 }
        }
        gate.signal()
        try await withTimeout { await pool.shutdown() }
        #expect(order.withLock { $0 } == ["a", "b", "c", "d", "e"])
        // A second shutdown after the threads have exited returns at once.
        try await withTimeout { await pool.shutdown() }
    }

    @Test func cancellationDoesNotInterruptARunningBody() async throws {
        let pool = SyncTaskPool(size: 1)
        let gate = DispatchSemaphore(value: 0)
        let started = EventStream<Void>()
        let finished = Atomic<Bool>(false)
        let task = Task {
            try await pool.run {
                started.send(())
                gate.wait()
                finished.store(true, ordering: .sequentiallyConsistent)
                return "done"
            }
        }
        _ = try await started.first(1)
        task.cancel()
        gate.signal()
        #expect(try await withTimeout { try await task.value } == "done")
        let didFinish = finished.load(ordering: .sequentiallyConsistent)
        #expect(didFinish)
        await pool.shutdown()
    }

    @Test func startsItsThreadsWithTheFirstJob() async throws {
        let unused = SyncTaskPool(size: 4)
        #expect(unused.liveThreads == 0)
        // Shutting down a pool that never ran a job returns at once and refuses later jobs.
        try await withTimeout { await unused.shutdown() }
        await #expect(throws: SyncTaskPoolError.self) { try await unused.run { 1 } }
        #expect(unused.liveThreads == 0)

        let pool = SyncTaskPool(size: 2)
        #expect(pool.liveThreads == 0)
        #expect(try await withTimeout { try await pool.run { 7 } } == 7)
        #expect(pool.liveThreads == 2)
        try await withTimeout { await pool.shutdown() }
        #expect(pool.liveThreads == 0)
    }

    @Test func anInMemoryBrokerWithOnlyAsyncTasksStartsNoSyncThreads() async throws {
        let broker = InMemoryBroker()
        let double = broker.task("pool.double") { (x: Int) async throws -> Int in x * 2 }
        #expect(try await withTimeout { try await double.kiq(21).waitResult(timeout: .seconds(5)).returnValue } == 42)
        let receiver = try #require(broker.embeddedReceiver)
        #expect(receiver.pool.liveThreads == 0)
        try await broker.shutdown()
    }
}
