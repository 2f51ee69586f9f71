import Foundation
import Synchronization
import Testing
import TaskiqTestSupport
@testable import Taskiq

/// Records every message the scheduler sends, with the clock's time at the send.
final class SendRecorder: TaskiqMiddleware {
    let clock: ManualClock
    private let storage = Mutex<[(Date, TaskiqMessage)]>([])

    init(clock: ManualClock) { self.clock = clock }

    func postSend(_ message: TaskiqMessage) async throws {
        let now = clock.now
        storage.withLock { $0.append((now, message)) }
    }

    var sends: [(time: Date, message: TaskiqMessage)] { storage.withLock { $0.map { ($0.0, $0.1) } } }
    /// Send times as `2025-01-01T00:15:00Z`.
    var times: [String] { sends.map { iso($0.time) } }
}

/// A broker with a no-op task, a recorder, a manual clock and a shared state store, so a test can
/// run a scheduler, stop it, and start another "after a restart" against the same state.
struct SchedulerHarness {
    let clock: ManualClock
    let broker = InMemoryBroker(awaitInplace: true)
    let recorder: SendRecorder
    let store = InMemorySchedulerStateStore()

    init(start: String) {
        clock = ManualClock(now: utc(start))
        recorder = SendRecorder(clock: clock)
        broker.addMiddlewares([recorder])
        _ = broker.task("tick") { (_: Int?) async throws in }
    }

    /// Starts a scheduler and waits until it sleeps (its first due sends are done by then).
    func start(_ sources: [any ScheduleSource], catchUp: CatchUpPolicy = .skip,
               lease: any SchedulerLease = LocalSchedulerLease(), store: (any SchedulerStateStore)? = nil,
               sleepers: Int = 1) async -> Task<Void, any Error> {
        var logger = Logger(label: "taskiq.scheduler")
        logger.logLevel = .error
        let scheduler = Scheduler(broker: broker, sources: sources, options: SchedulerOptions(catchUp: catchUp),
                                  clock: clock, stateStore: store ?? self.store, lease: lease, logger: logger)
        let running = Task { try await scheduler.run() }
        await clock.waitForSleepers(sleepers)
        return running
    }

    /// Cancels a scheduler and waits for `run()` to return.
    func stop(_ running: Task<Void, any Error>) async throws {
        running.cancel()
        try await withTimeout { try await running.value }
    }

    func advance(to time: String) async {
        await clock.advance(to: utc(time))
    }
}

/// A lease the test grants and revokes.
final class SwitchableLease: SchedulerLease {
    let granted: Atomic<Bool>
    init(granted: Bool) { self.granted = Atomic(granted) }
    func acquire() async throws -> Bool { granted.load(ordering: .relaxed) }
    func renew() async throws -> Bool { granted.load(ordering: .relaxed) }
    func release() async throws {}
}

func tick(_ trigger: Schedule.Trigger, id: String? = nil, taskID: String? = nil) -> Schedule {
    Schedule(task: "tick", trigger: trigger, taskID: taskID, scheduleID: id)
}

/// Groups every scheduler suite, so `swift test --filter Scheduler` runs them all.
@Suite enum SchedulerTests {}
