import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq

/// The service group owns its services: shutdown cancels them and returns only once each has
/// returned, and a group shut down can start again.
@Suite struct ServiceGroupTests {
    /// A service that records its start, then waits until cancelled and records its end.
    final class Probe: Service {
        let started = AsyncGate()
        let ended = Atomic<Int>(0)
        let runs = Atomic<Int>(0)

        func run() async {
            runs.add(1, ordering: .relaxed)
            await started.open()
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(60))
            }
            ended.add(1, ordering: .relaxed)
        }
    }

    @Test func shutdownCancelsEveryServiceAndWaitsForItToReturn() async throws {
        let group = ServiceGroup()
        let first = Probe()
        let second = Probe()
        group.start(first)
        group.start(second)
        #expect(group.isRunning)
        try await withTimeout {
            await first.started.wait()
            await second.started.wait()
        }
        try await withTimeout { await group.shutdown() }
        #expect(first.ended.load(ordering: .relaxed) == 1)
        #expect(second.ended.load(ordering: .relaxed) == 1)
        #expect(!group.isRunning)
    }

    @Test func aGroupShutDownStartsAgain() async throws {
        let group = ServiceGroup()
        let probe = Probe()
        group.start(probe)
        try await withTimeout { await probe.started.wait() }
        await group.shutdown()
        let again = Probe()
        group.start(again)
        try await withTimeout { await again.started.wait() }
        try await withTimeout { await group.shutdown() }
        #expect(probe.ended.load(ordering: .relaxed) == 1)
        #expect(again.ended.load(ordering: .relaxed) == 1)
    }

    @Test func cancelStopsServicesAndALaterShutdownStillWaits() async throws {
        let group = ServiceGroup()
        let probe = Probe()
        group.start(probe)
        try await withTimeout { await probe.started.wait() }
        group.cancel()
        try await withTimeout { await group.shutdown() }
        #expect(probe.ended.load(ordering: .relaxed) == 1)
    }

    @Test func shutdownOfAnIdleGroupReturnsAtOnce() async throws {
        try await withTimeout { await ServiceGroup().shutdown() }
    }

    @Test func aClosureRunsAsAService() async throws {
        let group = ServiceGroup()
        let ran = AsyncGate()
        group.start { await ran.open() }
        try await withTimeout { await ran.wait() }
        await group.shutdown()
    }
}
