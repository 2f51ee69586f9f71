import TaskiqTestSupport
import Testing

@testable import TaskiqConfig

#if canImport(Glibc)
import Glibc
#endif

/// Drives ``WorkerLifecycle`` with a fake receive loop and signals fed by the test.
@Suite struct WorkerLifecycleTests {
    struct LoopFailed: Error {}

    /// A receive loop with one in-flight task, recording what happens to `events`.
    final class FakeWorker: Sendable {
        let events = RunnerEvents<String>()
        let signals: AsyncStream<Int32>
        let deliver: AsyncStream<Int32>.Continuation
        private let intake: AsyncStream<Void>
        private let intakeStopper: AsyncStream<Void>.Continuation
        private let release: AsyncStream<Void>
        let releaser: AsyncStream<Void>.Continuation

        init() {
            (signals, deliver) = AsyncStream.makeStream()
            (intake, intakeStopper) = AsyncStream.makeStream()
            (release, releaser) = AsyncStream.makeStream()
        }

        /// Starts a task that finishes when released, or sleeps for a minute if `slow`;
        /// then takes deliveries until intake stops, and returns once the task is done.
        func loop(slow: Bool = false) async throws {
            let (events, intake, release) = (events, intake, release)
            await withDiscardingTaskGroup { group in
                group.addTask {
                    events.send("task started")
                    do {
                        if slow {
                            try await Task.sleep(for: .seconds(60))
                        } else {
                            for await _ in release {}
                            try Task.checkCancellation()
                        }
                        events.send("task completed")
                    } catch {
                        events.send("task cancelled")
                    }
                }
                for await _ in intake {}
                events.send("intake stopped")
            }
        }

        func lifecycle(
            waitTasksTimeout: Duration? = nil, shutdownTimeout: Duration = .seconds(5),
            run: (@Sendable () async throws -> Void)? = nil,
            shutdown: (@Sendable () async throws -> Void)? = nil
        ) -> WorkerLifecycle {
            let events = events
            let intakeStopper = intakeStopper
            return WorkerLifecycle(
                waitTasksTimeout: waitTasksTimeout, shutdownTimeout: shutdownTimeout, signals: signals,
                forceExit: { events.send("force exit \($0)") },
                run: run ?? { try await self.loop() },
                stopIntake: {
                    events.send("stop intake")
                    intakeStopper.finish()
                },
                shutdown: shutdown ?? { events.send("shutdown") })
        }

        func expect(_ expected: [String]) async throws {
            var received: [String] = []
            for _ in expected { received.append(try await events.next() ?? "end") }
            #expect(received == expected)
        }
    }

    @Test func aSignalStopsIntakeLetsTheTaskFinishThenShutsDown() async throws {
        let worker = FakeWorker()
        let running = Task { try await worker.lifecycle(waitTasksTimeout: .seconds(60)).run() }
        try await worker.expect(["task started"])

        worker.deliver.yield(SIGTERM)
        try await worker.expect(["stop intake", "intake stopped"])
        worker.releaser.finish()
        try await worker.expect(["task completed", "shutdown"])
        #expect(try await withTimeout { try await running.value } == 0)
    }

    @Test func tasksStillRunningAfterWaitTasksTimeoutAreCancelled() async throws {
        let worker = FakeWorker()
        let lifecycle = worker.lifecycle(waitTasksTimeout: .milliseconds(50), run: { try await worker.loop(slow: true) })
        let running = Task { try await lifecycle.run() }
        try await worker.expect(["task started"])

        worker.deliver.yield(SIGINT)
        try await worker.expect(["stop intake", "intake stopped", "task cancelled", "shutdown"])
        #expect(try await withTimeout { try await running.value } == 0)
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func aSecondSignalForcesExit(second: Int32) async throws {
        let worker = FakeWorker()
        let running = Task { try await worker.lifecycle().run() }
        try await worker.expect(["task started"])

        worker.deliver.yield(SIGTERM)
        try await worker.expect(["stop intake", "intake stopped"])
        worker.deliver.yield(second)
        try await worker.expect(["force exit \(128 + second)"])
        #expect(try await withTimeout { try await running.value } == 128 + second)
    }

    @Test func aLoopThatEndsOnItsOwnIsShutDownWithoutStoppingIntake() async throws {
        let worker = FakeWorker()
        let events = worker.events
        let lifecycle = worker.lifecycle(run: { events.send("loop ran") })
        #expect(try await withTimeout { try await lifecycle.run() } == 0)
        try await worker.expect(["loop ran", "shutdown"])
    }

    @Test func aFailingLoopIsShutDownAndItsErrorRethrown() async throws {
        let worker = FakeWorker()
        let lifecycle = worker.lifecycle(run: { throw LoopFailed() })
        await #expect(throws: LoopFailed.self) {
            try await withTimeout { try await lifecycle.run() }
        }
        try await worker.expect(["shutdown"])
    }

    @Test func aShutdownThatOverrunsItsTimeoutExitsWithOne() async throws {
        let worker = FakeWorker()
        let events = worker.events
        let lifecycle = worker.lifecycle(
            shutdownTimeout: .milliseconds(50), run: {},
            shutdown: {
                events.send("shutdown started")
                try await Task.sleep(for: .seconds(60))
            })
        #expect(try await withTimeout { try await lifecycle.run() } == 1)
        try await worker.expect(["shutdown started"])
    }

    @Test func aFailingShutdownExitsWithOne() async throws {
        let worker = FakeWorker()
        let lifecycle = worker.lifecycle(run: {}, shutdown: { throw LoopFailed() })
        #expect(try await withTimeout { try await lifecycle.run() } == 1)
    }
}
