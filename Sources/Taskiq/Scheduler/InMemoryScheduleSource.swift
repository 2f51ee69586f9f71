import Synchronization

/// Schedules held in memory: given up front, or added and removed at run time from code
/// (`definition.schedule(cron:..., on: source)`).
///
/// A one-off schedule is removed after it is sent, as in taskiq.
public final class InMemoryScheduleSource: ScheduleSource {
    private let storage: Mutex<[Schedule]>

    /// Creates a source.
    /// - Parameter schedules: The initial schedules; a later one replaces an earlier one with the same ID.
    public init(_ schedules: [Schedule] = []) {
        var unique: [Schedule] = []
        for schedule in schedules {
            if let index = unique.firstIndex(where: { $0.scheduleID == schedule.scheduleID }) {
                unique[index] = schedule
            } else {
                unique.append(schedule)
            }
        }
        storage = Mutex(unique)
    }

    /// The schedules, in the order added.
    public func schedules() async throws -> [Schedule] {
        storage.withLock { $0 }
    }

    /// Adds a schedule, replacing one with the same ID in place.
    public func add(_ schedule: Schedule) async throws {
        storage.withLock { schedules in
            if let index = schedules.firstIndex(where: { $0.scheduleID == schedule.scheduleID }) {
                schedules[index] = schedule
            } else {
                schedules.append(schedule)
            }
        }
    }

    /// Removes the schedule with this ID, if present.
    public func remove(scheduleID: String) async throws {
        storage.withLock { schedules in schedules.removeAll { $0.scheduleID == scheduleID } }
    }

    /// Removes a one-off schedule once it has been sent.
    public func postSend(_ schedule: Schedule) async throws {
        if schedule.isOneOff { try await remove(scheduleID: schedule.scheduleID) }
    }
}
