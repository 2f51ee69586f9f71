#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension TaskDefinition {
    /// Adds a schedule for this task to a source, with typed arguments.
    ///
    /// ```swift
    /// let handle = try await add.schedule(.interval(seconds: 30), 1, 2, on: source)
    /// ```
    /// The schedule's labels are the task's labels (without `schedule`) overlaid by `labels`.
    /// - Parameters:
    ///   - trigger: When it fires.
    ///   - arguments: The task's arguments, typed as the task declares them.
    ///   - labels: Extra labels for every message.
    ///   - taskID: A fixed task ID for every message, or `nil` for a fresh one each time.
    ///   - scheduleID: The schedule's ID; derived from the content when `nil`.
    ///   - source: Where the schedule is added (it must support adding, like ``InMemoryScheduleSource``).
    /// - Returns: A handle that can unschedule it.
    /// - Throws: ``ScheduleError`` when an argument cannot be encoded or the source cannot add schedules.
    public func schedule(
        _ trigger: Schedule.Trigger, _ arguments: repeat each Argument, labels: JSONObject = [:],
        taskID: String? = nil, scheduleID: String? = nil,
        on source: any ScheduleSource
    ) async throws -> ScheduleHandle {
        let args: [JSONValue]
        do {
            args = try encodeArguments(repeat each arguments)
        } catch {
            throw ScheduleError(.invalidValue, key: "args", "\(error.message)\(error.underlying.map { ": \($0)" } ?? "")")
        }
        var merged = self.labels
        merged["schedule"] = nil
        for (key, value) in labels { merged[key] = value }
        let schedule = Schedule(
            task: name, trigger: trigger, args: args, labels: merged, taskID: taskID,
            scheduleID: scheduleID)
        try await source.add(schedule)
        return ScheduleHandle(schedule: schedule, source: source)
    }

    /// Adds a cron schedule for this task to a source, with typed arguments.
    ///
    /// ```swift
    /// let handle = try await report.schedule(cron: "0 9 * * MON", timeZone: "Europe/Berlin", "weekly", on: source)
    /// ```
    /// - Parameters:
    ///   - cron: A five-field expression or an `@alias` (see ``CronExpression``).
    ///   - timeZone: An IANA name or fixed offset (see ``ScheduleTimeZone``); UTC when `nil`.
    ///   - arguments: The task's arguments.
    ///   - labels: Extra labels for every message.
    ///   - source: Where the schedule is added.
    /// - Throws: ``ScheduleError`` for an invalid expression or zone, an unencodable argument, or a
    ///   source that cannot add schedules.
    public func schedule(
        cron: String, timeZone: String? = nil, _ arguments: repeat each Argument,
        labels: JSONObject = [:], on source: any ScheduleSource
    ) async throws -> ScheduleHandle {
        try await schedule(try .cron(cron, timeZone: timeZone), repeat each arguments, labels: labels, on: source)
    }

    /// Adds an interval schedule for this task to a source: first as soon as the scheduler sees it,
    /// then every `seconds`.
    /// - Throws: ``ScheduleError`` for an interval below one second, an unencodable argument, or a
    ///   source that cannot add schedules.
    public func schedule(
        every seconds: Int, _ arguments: repeat each Argument, labels: JSONObject = [:],
        on source: any ScheduleSource
    ) async throws -> ScheduleHandle {
        guard seconds >= 1 else {
            throw ScheduleError(.invalidInterval, key: "interval", "expected whole seconds of at least 1, found \(seconds)")
        }
        return try await schedule(.interval(seconds: seconds), repeat each arguments, labels: labels, on: source)
    }

    /// Adds a one-off schedule for this task to a source: sent once at `time` (at once if past).
    public func schedule(
        at time: Date, _ arguments: repeat each Argument, labels: JSONObject = [:],
        on source: any ScheduleSource
    ) async throws -> ScheduleHandle {
        try await schedule(.once(time), repeat each arguments, labels: labels, on: source)
    }
}
