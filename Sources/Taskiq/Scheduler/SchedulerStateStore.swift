#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where a scheduler records the last slot it sent for each schedule, so that a restarted (or
/// another) scheduler never sends that slot again.
///
/// The scheduler claims a slot *before* sending it: a crash between the claim and the send loses
/// that one message rather than sending it twice (at most once per slot). A shared implementation
/// (Redis) makes ``claim(_:scheduleID:)`` atomic, so two schedulers that both believe they hold the
/// lease still send a slot once.
public protocol SchedulerStateStore: Sendable {
    /// The last slot recorded for the schedule, if any.
    func lastFired(scheduleID: String) async throws -> Date?
    /// Records `slot` as fired unless the same or a later slot is already recorded.
    /// - Returns: Whether this call recorded it (and so may send it).
    func claim(_ slot: Date, scheduleID: String) async throws -> Bool
}

extension SchedulerStateStore where Self == InMemorySchedulerStateStore {
    /// A store in this process's memory (lost on exit).
    public static var inMemory: InMemorySchedulerStateStore { InMemorySchedulerStateStore() }
}
