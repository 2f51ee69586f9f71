import Foundation
import Synchronization
import Taskiq
import Testing

/// Records every message the scheduler sends, with the clock's time at the send.
package final class SendRecorder: TaskiqMiddleware {
    /// The clock whose time each send is stamped with.
    package let clock: ManualClock
    private let storage = Mutex<[(Date, TaskiqMessage)]>([])

    /// A recorder stamping sends with `clock`.
    package init(clock: ManualClock) { self.clock = clock }

    /// Records `message` at the clock's time.
    package func postSend(_ message: TaskiqMessage) async throws {
        let now = clock.now
        storage.withLock { $0.append((now, message)) }
    }

    /// Every send so far, oldest first.
    package var sends: [(time: Date, message: TaskiqMessage)] { storage.withLock { $0.map { ($0.0, $0.1) } } }
    /// Send times as `2025-01-01T00:15:00Z`.
    package var times: [String] { sends.map { iso($0.time) } }
}

/// A broker with a no-op task, a recorder, a manual clock and a shared state store, so a test can
/// run a scheduler, stop it, and start another "after a restart" against the same state.
package struct SchedulerHarness {
    /// The time the test moves.
    package let clock: ManualClock
    /// The broker schedules send to, running tasks in place.
    package let broker = InMemoryBroker(awaitInplace: true)
    /// What was sent, and when.
    package let recorder: SendRecorder
    /// The state store shared by every scheduler of this harness.
    package let store = InMemorySchedulerStateStore()

    /// A harness whose clock starts at `start` (`2025-01-01T00:00:00Z`).
    package init(start: String) {
        clock = ManualClock(now: utc(start))
        recorder = SendRecorder(clock: clock)
        broker.addMiddlewares([recorder])
        _ = broker.task("tick") { (_: Int?) async throws in }
    }

    /// Starts a scheduler and waits until it sleeps (its first due sends are done by then).
    package func start(
        _ sources: [any ScheduleSource], catchUp: CatchUpPolicy = .skip,
        lease: any SchedulerLease = LocalSchedulerLease(), store: (any SchedulerStateStore)? = nil,
        sleepers: Int = 1
    ) async -> Task<Void, any Error> {
        var logger = Logger(label: "taskiq.scheduler")
        logger.logLevel = .error
        let scheduler = Scheduler(
            broker: broker, sources: sources, options: SchedulerOptions(catchUp: catchUp),
            clock: clock, stateStore: store ?? self.store, lease: lease, logger: logger)
        let running = Task { try await scheduler.run() }
        await clock.waitForSleepers(sleepers)
        return running
    }

    /// Cancels a scheduler and waits for `run()` to return.
    package func stop(_ running: Task<Void, any Error>) async throws {
        running.cancel()
        try await withTimeout { try await running.value }
    }

    /// Moves the clock to `time`.
    package func advance(to time: String) async {
        await clock.advance(to: utc(time))
    }
}

/// A lease the test grants and revokes.
package final class SwitchableLease: SchedulerLease {
    /// Whether the lease is held.
    package let granted: Atomic<Bool>
    /// A lease that starts granted or not.
    package init(granted: Bool) { self.granted = Atomic(granted) }
    package func acquire() async throws -> Bool { granted.load(ordering: .relaxed) }
    package func renew() async throws -> Bool { granted.load(ordering: .relaxed) }
    package func release() async throws {}
}

/// A schedule of the harness's no-op `tick` task.
package func tick(_ trigger: Schedule.Trigger, id: String? = nil, taskID: String? = nil) -> Schedule {
    Schedule(task: "tick", trigger: trigger, taskID: taskID, scheduleID: id)
}
