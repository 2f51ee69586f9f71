import Taskiq

extension ConfigValidator {
    /// Validates the top-level `schedules` list against the tasks of the loaded modules.
    func schedules(_ value: JSONValue?, loadedModules: [String]) throws(ConfigError) -> [ConfiguredSchedule] {
        guard let value else { return [] }
        let path = JSONPath.root.key("schedules")
        guard case .array(let entries) = value else {
            throw wrongType(
                value, at: path, expected: "an array of schedules such as [{\"task\": \"examples.heartbeat\", \"interval\": 5}]")
        }
        let taskNames = modules.filter { loadedModules.contains($0.name) }.flatMap(\.taskNames)
        var schedules: [ConfiguredSchedule] = []
        for (index, entry) in entries.enumerated() {
            let schedule = try schedule(entry, at: path.index(index), taskNames: taskNames)
            if let earlier = schedules.first(where: { $0.schedule.scheduleID == schedule.schedule.scheduleID }) {
                let idPath = schedule.explicitScheduleID == nil ? path.index(index) : path.index(index).key("schedule_id")
                let what =
                    schedule.explicitScheduleID == nil
                    ? "the same schedule as \(earlier.path)"
                    : "schedule_id '\(schedule.schedule.scheduleID)', already used by \(earlier.path)"
                throw ConfigError(
                    .invalidSchedule, file: document.origin(of: idPath), path: idPath.text,
                    "found \(what); expected each schedule once, with a distinct schedule_id")
            }
            schedules.append(schedule)
        }
        return schedules
    }

    private func schedule(_ value: JSONValue, at path: JSONPath, taskNames: [String]) throws(ConfigError) -> ConfiguredSchedule {
        guard case .object(let object) = value else {
            throw wrongType(value, at: path, expected: "an object such as {\"task\": \"examples.heartbeat\", \"interval\": 5}")
        }
        for key in object.keys where !ConfiguredSchedule.keys.contains(key) {
            throw unknownKey(key, at: path, allowed: ConfiguredSchedule.keys, owner: "a schedule")
        }
        let taskPath = path.key("task")
        guard let taskValue = object["task"] else {
            throw ConfigError(
                .missingKey, file: document.origin(of: path), path: taskPath.text,
                "missing; a schedule needs the name of the task to send, such as \"examples.heartbeat\"")
        }
        guard case .string(let task) = taskValue else { throw wrongType(taskValue, at: taskPath, expected: "a task name") }
        guard taskNames.contains(task) else {
            var message = "unknown task '\(task)'"
            if let match = closestMatch(to: task, in: taskNames) { message += "; did you mean '\(match)'?" }
            message += taskNames.isEmpty ? "; no tasks are loaded" : "; loaded tasks: \(taskNames.joined(separator: ", "))"
            throw ConfigError(.unknownTask, file: document.origin(of: taskPath), path: taskPath.text, message)
        }
        do {
            let schedule = try Schedule(taskiqJSON: object)
            return ConfiguredSchedule(
                schedule: schedule, explicitScheduleID: object["schedule_id"]?.stringValue,
                path: path.text, file: document.origin(of: path))
        } catch {
            let errorPath = error.key.map { path.key($0) } ?? path
            let code: ConfigError.Code = error.code == .invalidValue ? .wrongType : .invalidSchedule
            throw ConfigError(code, file: document.origin(of: errorPath), path: errorPath.text, error.message)
        }
    }

    /// Validates the `scheduler` section.
    func schedulerSettings(_ value: JSONValue?) throws(ConfigError) -> SchedulerSettings {
        let path = JSONPath.root.key("scheduler")
        var object: JSONObject = [:]
        if let value {
            guard case .object(let members) = value else { throw wrongType(value, at: path, expected: "an object") }
            object = members
        }
        let componentKeys = [SchedulerSettings.leaseKey, SchedulerSettings.stateStoreKey]
        var plain = object
        for key in componentKeys { plain[key] = nil }
        let values = try options(
            plain, declared: SchedulerSettings.options, at: path, owner: "the scheduler section",
            alsoAllowed: componentKeys)
        let lease = try object[SchedulerSettings.leaseKey].map { value throws(ConfigError) in
            try component(.schedulerLease, value, at: path.key(SchedulerSettings.leaseKey))
        }
        let stateStore = try object[SchedulerSettings.stateStoreKey].map { value throws(ConfigError) in
            try component(.schedulerStateStore, value, at: path.key(SchedulerSettings.stateStoreKey))
        }
        return try SchedulerSettings(ComponentOptions(type: "scheduler", values: values), lease: lease, stateStore: stateStore)
    }
}
