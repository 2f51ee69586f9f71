/// Where a scheduler gets its schedules: code, a task's labels, a config file, a database.
///
/// The scheduler reads ``schedules()`` at start and every ``SchedulerOptions/refreshInterval``.
/// Sources that accept schedules at run time (``InMemoryScheduleSource``, a Redis source) implement
/// ``add(_:)`` and ``remove(scheduleID:)``; the defaults throw ``ScheduleError`` with code `.unsupported`.
/// Every hook has a default, so a source states only what it does.
public protocol ScheduleSource: Sendable {
    /// Prepares the source (connects, loads); called once before the first read.
    func startup() async throws
    /// Releases the source's resources; called once when the scheduler stops.
    func shutdown() async throws
    /// The current schedules.
    func schedules() async throws -> [Schedule]
    /// Adds a schedule, replacing one with the same ``Schedule/scheduleID``.
    func add(_ schedule: Schedule) async throws
    /// Removes a schedule; removing an unknown ID does nothing.
    func remove(scheduleID: String) async throws
    /// Called before a schedule's message is sent. Return `false` to skip this send.
    func preSend(_ schedule: Schedule) async throws -> Bool
    /// Called after a schedule's message was sent.
    func postSend(_ schedule: Schedule) async throws
}

extension ScheduleSource {
    /// Does nothing.
    public func startup() async throws {}
    /// Does nothing.
    public func shutdown() async throws {}
    /// Throws ``ScheduleError`` with code `.unsupported`.
    public func add(_ schedule: Schedule) async throws {
        throw ScheduleError(
            .unsupported, "\(Self.self) cannot add schedules at run time; use a source that can, such as InMemoryScheduleSource")
    }
    /// Throws ``ScheduleError`` with code `.unsupported`.
    public func remove(scheduleID: String) async throws {
        throw ScheduleError(.unsupported, "\(Self.self) cannot remove schedules at run time")
    }
    /// Sends.
    public func preSend(_ schedule: Schedule) async throws -> Bool { true }
    /// Does nothing.
    public func postSend(_ schedule: Schedule) async throws {}
}
