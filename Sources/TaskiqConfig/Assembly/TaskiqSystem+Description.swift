import Taskiq

extension TaskiqSystem {
    /// The resolved configuration as JSON, defaults filled in and secrets masked: what
    /// `taskiq-run check` prints.
    public var resolvedConfiguration: JSONValue {
        let settings = configuration
        var root = JSONObject()
        root["broker"] = .object(settings.broker.json)
        if !settings.brokers.isEmpty {
            var brokers = JSONObject()
            for named in settings.brokers {
                var entry = named.broker.json
                if let backend = named.resultBackend { entry["result_backend"] = .object(backend.json) }
                brokers[named.name] = .object(entry)
            }
            root["brokers"] = .object(brokers)
        }
        root["result_backend"] = settings.resultBackend.map { .object($0.json) } ?? .null
        root["task_id_generator"] = settings.taskIDGenerator.map { .object($0.json) } ?? ["type": "uuid4"]
        root["middlewares"] = .array(settings.middlewares.map { .object($0.json) })
        if let deadLetters = settings.deadLetters {
            var entry = deadLetters.queue.json
            entry[DeadLetterSettings.failedTasksKey] = DeadLetterSettings.failedTasks.json(deadLetters.failedTasks)
            root["dead_letters"] = .object(entry)
        }
        var tasks: JSONObject = ["modules": .array(settings.modules.map(JSONValue.string))]
        if !settings.routes.isEmpty {
            tasks["routes"] = .object(JSONObject(settings.routes.map { ($0.pattern, JSONValue.string($0.broker)) }))
        }
        root["tasks"] = .object(tasks)
        root["worker"] = .object(settings.worker.json)
        root["schedules"] = .array(settings.schedules.map { .object(Self.configForm($0)) })
        let scheduler = settings.scheduler
        typealias Keys = SchedulerSettings.Keys
        root["scheduler"] = [
            Keys.catchUp.name: Keys.catchUp.json(scheduler.catchUp),
            Keys.refreshInterval.name: Keys.refreshInterval.json(scheduler.refreshInterval),
            "lease": scheduler.lease.map { .object($0.json) } ?? ["type": "local"],
            "state_store": scheduler.stateStore.map { .object($0.json) } ?? ["type": "inmemory"],
        ]
        if let metrics = settings.metrics {
            root["metrics"] = [MetricsSettings.Keys.listen.name: MetricsSettings.Keys.listen.json(metrics.listen)]
        }
        return SecretMasking.masked(.object(root))
    }

    /// A configured schedule as the file writes it, with its resolved `schedule_id`.
    private static func configForm(_ configured: ConfiguredSchedule) -> JSONObject {
        let schedule = configured.schedule
        var object: JSONObject = ["task": .string(schedule.taskName)]
        for (key, value) in schedule.taskiqJSON where !value.isNull && key != "task_name" && key != "schedule_id" {
            if case .array(let items) = value, items.isEmpty { continue }
            if case .object(let members) = value, members.isEmpty { continue }
            object[key] = value
        }
        object["schedule_id"] = .string(schedule.scheduleID)
        return object
    }
}
