import Taskiq

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A schedule as `taskiq-run check` lists it: where it came from, which broker sends it and when
/// it fires first.
public struct ScheduleSummary: Sendable, Hashable {
    /// The schedule as the scheduler sends it (a configured one with its task's labels added).
    public var schedule: Schedule
    /// The name of the broker it is sent through: `default` or a key of `brokers`.
    public var broker: String
    /// Where it is declared: its JSON path (`schedules[0]`), or `schedule label` for a task's own.
    public var origin: String
    /// When a scheduler starting at the listing's instant, with nothing recorded yet, first sends
    /// it: the next cron slot; the start itself for an interval; the time of a one-off (which may
    /// be past, and is then sent at once). `nil` for a cron expression with no slot in ten years.
    public var firstFireTime: Date?

    /// `every 5s`, `cron "*/5 * * * *" in Europe/Berlin` or `once at 2030-01-01T00:00:00Z`.
    public var triggerDescription: String {
        switch schedule.trigger {
        case .cron(let cron, let zone): "cron \(String(reflecting: cron.source)) in \(zone.source)"
        case .interval(let seconds): "every \(seconds)s"
        case .once(let time): "once at \(Self.timestamp(time))"
        }
    }

    /// One line: `examples.heartbeat every 5s, first 2030-01-01T00:00:00Z (schedule 1a2b…, broker default, schedules[0])`.
    public var line: String {
        let first = firstFireTime.map(Self.timestamp) ?? "never (no slot in the next ten years)"
        return "\(schedule.taskName) \(triggerDescription), first \(first) "
            + "(schedule \(schedule.scheduleID), broker \(broker), \(origin))"
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(secondsFromGMT: 0)!))
    }

    static func firstFireTime(of schedule: Schedule, startingAt now: Date) -> Date? {
        switch schedule.trigger {
        case .cron(let cron, let zone): cron.next(after: now, in: zone)
        case .interval: now
        case .once(let time): time
        }
    }
}
