import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A ``SchedulerStateStore`` in memory: survives scheduler restarts within one process (and in
/// tests), not process restarts.
public final class InMemorySchedulerStateStore: SchedulerStateStore {
    private let slots = Mutex<[String: Date]>([:])

    /// Creates an empty store.
    public init() {}

    /// The last slot recorded for the schedule, if any.
    public func lastFired(scheduleID: String) async throws -> Date? {
        slots.withLock { $0[scheduleID] }
    }

    /// Records `slot` unless the same or a later slot is recorded.
    public func claim(_ slot: Date, scheduleID: String) async throws -> Bool {
        slots.withLock { slots in
            if let last = slots[scheduleID], last >= slot { return false }
            slots[scheduleID] = slot
            return true
        }
    }
}
