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
            entry[DeadLetterSettings.failedTasksKey] = .string(deadLetters.failedTasks.name)
            root["dead_letters"] = .object(entry)
        }
        var tasks: JSONObject = ["modules": .array(settings.modules.map(JSONValue.string))]
        if !settings.routes.isEmpty {
            tasks["routes"] = .object(JSONObject(settings.routes.map { ($0.pattern, JSONValue.string($0.broker)) }))
        }
        root["tasks"] = .object(tasks)
        let worker = settings.worker
        root["worker"] = [
            "workers": .int(worker.workers),
            "max_async_tasks": .int(worker.maxAsyncTasks),
            "max_prefetch": .int(worker.maxPrefetch),
            "ack_type": .string(worker.ackType.rawValue),
            "shutdown_timeout": .double(worker.shutdownTimeout.inSeconds),
            "wait_tasks_timeout": worker.waitTasksTimeout.map { .double($0.inSeconds) } ?? .null,
            "max_tasks_per_child": worker.maxTasksPerChild.map(JSONValue.int) ?? .null,
            "log_level": .string(worker.logLevel.rawValue),
            "log_format": .string(worker.logFormat.rawValue),
            "log_file": worker.logFile.map(JSONValue.string) ?? .null,
            "limits": [
                "max_message_size": .int(worker.limits.maxMessageSize),
                "max_depth": .int(worker.limits.maxDepth),
                "max_arguments": .int(worker.limits.maxArguments),
                "max_labels": .int(worker.limits.maxLabels),
                "max_label_key_size": .int(worker.limits.maxLabelKeySize),
                "max_label_value_size": .int(worker.limits.maxLabelValueSize),
            ],
        ]
        root["schedules"] = .array(settings.schedules.map { .object(Self.configForm($0)) })
        let scheduler = settings.scheduler
        root["scheduler"] = [
            "catch_up": .string(scheduler.catchUp.name),
            "refresh_interval": .double(scheduler.refreshInterval.inSeconds),
            "lease": scheduler.lease.map { .object($0.json) } ?? ["type": "local"],
            "state_store": scheduler.stateStore.map { .object($0.json) } ?? ["type": "inmemory"],
        ]
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
