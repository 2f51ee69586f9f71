/// A schedule added from code, with the means to take it back.
///
/// ```swift
/// let handle = try await report.schedule(cron: "0 9 * * MON", "weekly", on: source)
/// try await handle.unschedule()
/// ```
public struct ScheduleHandle: Sendable {
    /// The schedule as added.
    public let schedule: Schedule
    /// The source it was added to.
    public let source: any ScheduleSource

    /// Creates a handle.
    public init(schedule: Schedule, source: any ScheduleSource) {
        self.schedule = schedule
        self.source = source
    }

    /// The schedule's ID.
    public var scheduleID: String { schedule.scheduleID }

    /// Removes the schedule from its source; the scheduler stops sending it at its next refresh.
    public func unschedule() async throws {
        try await source.remove(scheduleID: schedule.scheduleID)
    }
}
