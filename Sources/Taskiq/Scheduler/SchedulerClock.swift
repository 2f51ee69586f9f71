#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The scheduler's source of time: what time it is, and a way to wait for a moment.
///
/// Fire times are wall-clock instants (`Date`), so the clock is a wall clock. Use
/// ``SystemSchedulerClock`` in production and `ManualClock` (TaskiqTestSupport) in tests, where the test moves time.
public protocol SchedulerClock: Sendable {
    /// The current instant.
    var now: Date { get }
    /// Returns at or after `deadline`, or throws `CancellationError` when the task is cancelled.
    func sleep(until deadline: Date) async throws
}

extension SchedulerClock where Self == SystemSchedulerClock {
    /// The system's wall clock.
    public static var system: SystemSchedulerClock { SystemSchedulerClock() }
}
