#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Schedule {
    /// Reads taskiq's schedule form: a `ScheduledTask` as pydantic dumps it, an entry of a task's
    /// `schedule` label, or an entry of a config's `schedules` list.
    ///
    /// Keys: `task_name` (or `task`), exactly one of `cron` (with optional `cron_offset`), `interval`
    /// (whole seconds ≥ 1, or an ISO-8601 duration such as `PT2M`) and `time` (ISO-8601; no zone means
    /// UTC), and optionally `args`, `kwargs`, `labels`, `task_id`, `schedule_id`. Unknown keys are ignored,
    /// as pydantic does. `null` counts as absent.
    /// - Parameters:
    ///   - object: The schedule's JSON object.
    ///   - taskName: The task name to use when the object has none (a task's own `schedule` label).
    /// - Throws: ``ScheduleError`` whose ``ScheduleError/key`` names the offending key.
    public init(taskiqJSON object: JSONObject, taskName: String? = nil) throws(ScheduleError) {
        func present(_ key: String) -> JSONValue? {
            guard let value = object[key], !value.isNull else { return nil }
            return value
        }
        func string(_ key: String) throws(ScheduleError) -> String? {
            guard let value = present(key) else { return nil }
            guard let text = value.stringValue else {
                throw ScheduleError(.invalidValue, key: key, "expected a string, found \(value.typeName)")
            }
            return text
        }
        var task = try string("task_name")
        if task == nil { task = try string("task") }
        guard let task = task ?? taskName else {
            throw ScheduleError(.invalidValue, key: "task_name", "a schedule needs the name of the task to send")
        }
        let triggerKeys = ["cron", "interval", "time"].filter { present($0) != nil }
        guard triggerKeys.count == 1 else {
            let found = triggerKeys.isEmpty ? "none" : triggerKeys.joined(separator: " and ")
            throw ScheduleError(
                .trigger, key: triggerKeys.last,
                "a schedule needs exactly one of 'cron', 'interval' and 'time'; found \(found)")
        }
        let trigger: Trigger
        switch triggerKeys[0] {
        case "cron":
            trigger = try .cron(try string("cron")!, timeZone: try string("cron_offset"))
        case "interval":
            trigger = .interval(seconds: try Self.intervalSeconds(present("interval")!))
        default:
            let text = try string("time")!
            guard let seconds = ISO8601Timestamp.parse(text) else {
                throw ScheduleError(
                    .invalidTime, key: "time",
                    "'\(text)' is not an ISO-8601 date-time such as '2030-01-01T00:00:00Z'")
            }
            trigger = .once(Date(timeIntervalSince1970: seconds))
        }
        var args: [JSONValue] = []
        if let value = present("args") {
            guard let array = value.arrayValue else {
                throw ScheduleError(.invalidValue, key: "args", "expected an array, found \(value.typeName)")
            }
            args = array
        }
        func dictionary(_ key: String) throws(ScheduleError) -> JSONObject {
            guard let value = present(key) else { return [:] }
            guard let object = value.objectValue else {
                throw ScheduleError(.invalidValue, key: key, "expected an object, found \(value.typeName)")
            }
            return object
        }
        self.init(
            task: task, trigger: trigger, args: args, kwargs: try dictionary("kwargs"), labels: try dictionary("labels"),
            taskID: try string("task_id"), scheduleID: try string("schedule_id"))
    }

    /// The schedule in taskiq's `ScheduledTask` JSON form, as Python's `model_dump(mode="json")`
    /// writes it (for schedule sources shared with Python, such as Redis).
    public var taskiqJSON: JSONObject {
        var object: JSONObject = [
            "task_name": .string(taskName), "labels": .object(labels), "args": .array(args),
            "kwargs": .object(kwargs), "task_id": taskID.map(JSONValue.string) ?? .null,
            "schedule_id": .string(scheduleID), "cron": nil, "cron_offset": nil, "time": nil, "interval": nil,
        ]
        switch trigger {
        case .cron(let cron, let zone):
            object["cron"] = .string(cron.source)
            object["cron_offset"] = zone == .utc ? .null : .string(zone.source)
        case .interval(let seconds):
            object["interval"] = .int(seconds)
        case .once(let date):
            var text = ISO8601Timestamp.format(secondsSince1970: date.timeIntervalSince1970)
            if text.hasSuffix(".000000Z") { text = String(text.dropLast(8)) + "Z" }
            object["time"] = .string(text)
        }
        return object
    }

    private static func intervalSeconds(_ value: JSONValue) throws(ScheduleError) -> Int {
        let seconds: Int?
        if let text = value.stringValue {
            seconds = ScheduleTimeZone.parseDuration(text)
        } else if let number = value.doubleValue, number.rounded() == number, abs(number) < 1e15 {
            seconds = Int(number)
        } else {
            seconds = nil
        }
        guard let seconds, seconds >= 1 else {
            throw ScheduleError(
                .invalidInterval, key: "interval",
                """
                expected whole seconds of at least 1 (a number or an ISO-8601 duration such as 'PT2M'), \
                found \(value.excerpt())
                """)
        }
        return seconds
    }
}
