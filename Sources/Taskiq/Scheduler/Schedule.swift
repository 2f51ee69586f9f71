#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A task sent on a schedule: by cron expression, at a fixed interval, or once at a given time.
///
/// ```swift
/// let heartbeat = try Schedule(task: "examples.heartbeat", trigger: .cron("*/5 * * * *", timeZone: "Europe/Berlin"))
/// let poll = Schedule(task: "feeds.poll", trigger: .interval(seconds: 30), args: ["https://example.com/feed"])
/// ```
///
/// **Schedule IDs are stable.** Unless given, ``scheduleID`` is derived from the schedule's content
/// (task, trigger, arguments, labels, task ID), so the same schedule has the same ID on every start.
/// Python taskiq draws a random ID per start instead; here the ID is the key under which the
/// scheduler records the last slot it sent, and a stable key is what stops a restarted scheduler
/// from sending that slot again. Changing a schedule's content makes it a new schedule.
public struct Schedule: Sendable, Hashable {
    /// When a schedule fires: exactly one of cron, interval and one-off time.
    public enum Trigger: Sendable, Hashable {
        /// At the wall-clock times a cron expression matches, in a time zone (UTC by default).
        case cron(CronExpression, timeZone: ScheduleTimeZone)
        /// Every `seconds` (at least 1), first as soon as the scheduler sees the schedule.
        case interval(seconds: Int)
        /// Once, at the given instant (or as soon as the scheduler sees it, if that is past).
        case once(Date)

        /// A cron trigger parsed from text.
        /// - Parameters:
        ///   - expression: A five-field expression or an `@alias`.
        ///   - timeZone: An IANA name or fixed offset (see ``ScheduleTimeZone``); UTC when `nil`.
        /// - Throws: ``ScheduleError`` with code `.invalidCron` or
        ///   ``ScheduleError`` with code `.invalidTimeZone`.
        public static func cron(_ expression: String, timeZone: String? = nil) throws(ScheduleError) -> Trigger {
            let cron: CronExpression
            do {
                cron = try CronExpression(expression)
            } catch {
                throw ScheduleError(.invalidCron, key: "cron", error.description)
            }
            return .cron(cron, timeZone: try timeZone.map { zone throws(ScheduleError) in try ScheduleTimeZone(zone) } ?? .utc)
        }
    }

    /// The registered name of the task to send.
    public var taskName: String
    /// When the schedule fires.
    public var trigger: Trigger
    /// Positional arguments of every message.
    public var args: [JSONValue]
    /// Keyword arguments of every message.
    public var kwargs: JSONObject
    /// Labels of every message; the scheduler adds `schedule_id`.
    public var labels: JSONObject
    /// A task ID that every message reuses, or `nil` for a new ID per message.
    public var taskID: String?
    /// The schedule's identity: the key of its fire state, and the `schedule_id` label of its messages.
    public var scheduleID: String

    /// Creates a schedule.
    /// - Parameters:
    ///   - task: The registered task name.
    ///   - trigger: When it fires.
    ///   - args: Positional arguments.
    ///   - kwargs: Keyword arguments.
    ///   - labels: Labels of every message.
    ///   - taskID: A fixed task ID for every message, or `nil` for a fresh one each time.
    ///   - scheduleID: The schedule's ID; derived from the content when `nil` (see ``Schedule``).
    public init(
        task: String, trigger: Trigger, args: [JSONValue] = [], kwargs: JSONObject = [:],
        labels: JSONObject = [:], taskID: String? = nil, scheduleID: String? = nil
    ) {
        self.taskName = task
        self.trigger = trigger
        self.args = args
        self.kwargs = kwargs
        self.labels = labels
        self.taskID = taskID
        self.scheduleID = ""
        self.scheduleID = scheduleID ?? derivedScheduleID
    }

    /// Whether this schedule fires once and is then done.
    public var isOneOff: Bool {
        if case .once = trigger { true } else { false }
    }
}
