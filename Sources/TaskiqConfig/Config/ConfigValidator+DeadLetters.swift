import Taskiq

extension ConfigValidator {
    /// Validates the `dead_letters` section.
    func deadLetterSettings(_ value: JSONValue?) throws(ConfigError) -> DeadLetterSettings? {
        guard let value else { return nil }
        let path = JSONPath.root.key("dead_letters")
        let key = DeadLetterSettings.failedTasksKey
        let queue = try component(.deadLetterQueue, value, at: path, reserved: [key])
        let object = value.objectValue ?? [:]
        let values = try options(
            object[key].map { [key: $0] } ?? [:], declared: [DeadLetterSettings.failedTasksOption],
            at: path, owner: "the dead_letters section")
        let policy = try ComponentOptions(type: "dead_letters", values: values)[DeadLetterSettings.failedTasks]
        return DeadLetterSettings(queue: queue, failedTasks: policy)
    }
}
