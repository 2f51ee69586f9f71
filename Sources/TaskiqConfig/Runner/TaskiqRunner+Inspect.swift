import Taskiq

extension TaskiqRunner {
    /// The schedules part of `check`: each with its first fire time and who sends it.
    static func scheduleListing(_ summaries: [ScheduleSummary], system: TaskiqSystem) -> String {
        let dynamic = system.hasSharedScheduleSource
            ? "dynamic schedules: added at run time to Redis (keys 'schedule:*' on the result backend's server), read by every scheduler\n"
            : ""
        guard !summaries.isEmpty else { return "schedules: none\n" + dynamic }
        var text = "schedules (first fire times for a scheduler starting now):\n"
        for summary in summaries { text += "  \(summary.line)\n" }
        let brokers = Set(summaries.map(\.broker))
        let local = brokers.filter { system.isProcessLocal(broker: $0) }.sorted()
        let remote = brokers.subtracting(local).sorted()
        if !local.isEmpty {
            text += "  sent by the worker of broker \(local.joined(separator: ", ")) (in-process broker)\n"
        }
        if !remote.isEmpty {
            text += "  sent by 'taskiq-run scheduler' for broker \(remote.joined(separator: ", "))\n"
        }
        return text + dynamic
    }

    /// What `check` prints on standard output.
    static func checkReport(_ system: TaskiqSystem) -> String {
        var text = "\(system.configuration.file): OK\n"
        text += system.resolvedConfiguration.prettyPrinted + "\n"
        text += "tasks:\n"
        let tasks = system.tasks
        for module in system.modules {
            text += "  \(moduleHeading(module.name, system: system))\n"
            for task in tasks where task.module == module.name { text += "    \(task.signature)\n" }
        }
        return text
    }

    /// What `tasks` prints on standard output.
    static func taskListing(_ system: TaskiqSystem) -> String {
        var text = ""
        let tasks = system.tasks
        for module in system.modules {
            text += moduleHeading(module.name, system: system) + "\n"
            for task in tasks where task.module == module.name {
                var line = "  \(task.signature)"
                if !task.labels.isEmpty {
                    line += "  labels: " + String(decoding: JSONValue.object(task.labels).serialized(style: .compact), as: UTF8.self)
                }
                text += line + "\n"
            }
        }
        return text
    }

    /// `billing.invoices (broker: fast, route "billing.*")`, or `examples (broker: default)` for
    /// a module no route matches.
    static func moduleHeading(_ module: String, system: TaskiqSystem) -> String {
        guard let route = system.configuration.route(forModule: module) else {
            return "\(module) (broker: \(TaskiqConfiguration.defaultBrokerName))"
        }
        return "\(module) (broker: \(route.broker), route \(String(reflecting: route.pattern)))"
    }
}
