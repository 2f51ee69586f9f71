import Taskiq

/// One entry of the top-level `schedules` list, validated.
///
/// ```json
/// "schedules": [{"task": "examples.heartbeat", "interval": 5},
///               {"task": "reports.daily", "cron": "30 2 * * *", "cron_offset": "Europe/Berlin", "args": ["eu"]}]
/// ```
/// Each entry has `task` and exactly one of `cron` (with optional `cron_offset`), `interval` (whole
/// seconds) and `time` (ISO-8601), and optionally `args`, `kwargs`, `labels`, `task_id` and
/// `schedule_id` — taskiq's schedule form, with `task` for `task_name`.
public struct ConfiguredSchedule: Sendable, Hashable {
    /// The schedule as written: its labels do not yet include the task's own (see
    /// `TaskiqSystem.configuredSchedules`, which adds them).
    public var schedule: Schedule
    /// The `schedule_id` written in the file, or `nil` when the ID is derived from the content.
    public var explicitScheduleID: String?
    /// The JSON path of the entry, such as `schedules[2]`.
    public var path: String
    /// The file the entry came from.
    public var file: String

    /// The keys an entry accepts.
    static let keys = ["task", "cron", "cron_offset", "interval", "time", "args", "kwargs", "labels", "schedule_id", "task_id"]
}
