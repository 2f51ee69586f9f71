import Taskiq

extension WorkerSettings {
    /// The options of the `worker` section, each declared once; defaults come from ``WorkerSettings/init()``.
    enum Keys {
        private static let defaults = WorkerSettings()

        static let workers = Option<Int>.integer(
            "workers", default: defaults.workers, range: 1...1024,
            description: "Worker processes.")
        static let maxAsyncTasks = Option<Int>.integer(
            "max_async_tasks", default: defaults.maxAsyncTasks, range: 0...1_000_000,
            description: "Tasks running at once per process; 0 means unlimited.")
        static let maxPrefetch = Option<Int>.integer(
            "max_prefetch", default: defaults.maxPrefetch, range: 0...1_000_000,
            description: "Deliveries taken ahead of those running.")
        static let ackType = Option<AckType>.choice(
            "ack_type", default: defaults.ackType,
            description: "When deliveries are acknowledged.")
        static let castTypes = Option<Bool>.boolean(
            "cast_types", default: defaults.castTypes,
            description: "Convert arguments losslessly to the parameter types (\"5\" to 5).")
        static let syncTasksPoolSize = Option<Int>.integer(
            "sync_tasks_pool_size", default: defaults.syncTasksPoolSize, range: 1...1024,
            description: "Threads that run synchronous tasks.")
        static let logsFormat = Option<String?>.string(
            "logs_format", description: "Python-logging-style format for logs captured into results; null captures none.")
        static let shutdownTimeout = Option<Duration>.seconds(
            "shutdown_timeout", default: defaults.shutdownTimeout, range: 0...86_400,
            description: "Seconds a stop may take in all, draining included.")
        static let waitTasksTimeout = Option<Duration?>.seconds(
            "wait_tasks_timeout", range: 0...86_400,
            description: "Seconds running tasks may take to finish after intake stops; null waits up to shutdown_timeout.")
        static let maxTasksPerChild = Option<Int?>.integer(
            "max_tasks_per_child", range: 1...Int.max,
            description: "Tasks a worker process runs before it is replaced; null for no limit.")
        static let logLevel = Option<LogLevel>.choice(
            "log_level", default: defaults.logLevel,
            description: "The least severe level logged.")
        static let logFormat = Option<LogOutputFormat>.choice(
            "log_format", default: defaults.logFormat,
            description: "How log lines are written: text for people, json for log shippers.")
        static let logFile = Option<String?>.string(
            "log_file",
            description:
                "File log lines are appended to (created if missing); null writes to standard error. If a write fails later (disk full), logging falls back to standard error."
        )

        static let queueRateLimit = Option<String?>.string(
            "queue_rate_limit",
            description:
                "Rate limit shared by every task of the queue, across all its workers (\"100/m\"; units s, m, h, d); null for none.")
        static let rateLimitTask = Option<String>.requiredString("task", description: "The task name.")
        static let rateLimitLimit = Option<String>.requiredString(
            "limit", description: "Starts allowed per unit, across all workers of the queue (\"10/s\"; units s, m, h, d).")
        static let rateLimits = Option<[TaskRateLimitSetting]>.objects(
            "rate_limits", fields: [rateLimitTask, rateLimitLimit], default: [],
            encode: { [rateLimitTask.name: .string($0.task), rateLimitLimit.name: .string($0.limit)] },
            description:
                "Rate limits per task; a task's rate_limit label takes precedence. A limited task waits without holding a max_async_tasks slot."
        ) { options in
            TaskRateLimitSetting(task: try options[rateLimitTask], limit: try options[rateLimitLimit])
        }

        /// The worker settings that older files put on the broker, which now reads them from here.
        static let movedFromBroker: [any OptionDeclaration] = [castTypes, syncTasksPoolSize, logsFormat]
    }

    /// One option bound to the property it fills: what both reading the file and writing `check`'s
    /// resolved output go through, so a worker setting is declared once and bound once.
    struct Field: Sendable {
        /// The option as validation and the schema see it.
        let declaration: ComponentOption
        let read: @Sendable (ComponentOptions, inout WorkerSettings) throws(ConfigError) -> Void
        let write: @Sendable (WorkerSettings) -> JSONValue

        init<Value>(_ key: Option<Value>, _ property: any WritableKeyPath<WorkerSettings, Value> & Sendable) {
            declaration = key.declaration
            read = { options, settings throws(ConfigError) in settings[keyPath: property] = try options[key] }
            write = { settings in key.json(settings[keyPath: property]) }
        }
    }

    /// The `worker` options with their properties, in the order validation reports them and the schema lists them.
    static let fields: [Field] = [
        Field(Keys.workers, \.workers), Field(Keys.maxAsyncTasks, \.maxAsyncTasks), Field(Keys.maxPrefetch, \.maxPrefetch),
        Field(Keys.ackType, \.ackType), Field(Keys.shutdownTimeout, \.shutdownTimeout),
        Field(Keys.waitTasksTimeout, \.waitTasksTimeout), Field(Keys.maxTasksPerChild, \.maxTasksPerChild),
        Field(Keys.logLevel, \.logLevel), Field(Keys.logFormat, \.logFormat), Field(Keys.logFile, \.logFile),
        Field(Keys.castTypes, \.castTypes), Field(Keys.syncTasksPoolSize, \.syncTasksPoolSize),
        Field(Keys.logsFormat, \.logsFormat), Field(Keys.queueRateLimit, \.queueRateLimit),
        Field(Keys.rateLimits, \.rateLimits),
    ]

    /// The `worker.limits` options with their properties.
    static let limitFields: [Field] = [
        Field(LimitKeys.maxMessageSize, \.limits.maxMessageSize), Field(LimitKeys.maxDepth, \.limits.maxDepth),
        Field(LimitKeys.maxArguments, \.limits.maxArguments), Field(LimitKeys.maxLabels, \.limits.maxLabels),
        Field(LimitKeys.maxLabelKeySize, \.limits.maxLabelKeySize),
        Field(LimitKeys.maxLabelValueSize, \.limits.maxLabelValueSize),
    ]

    /// The settings as the file writes them, every option present: `check`'s resolved `worker` section.
    var json: JSONObject {
        var object = JSONObject(Self.fields.map { ($0.declaration.name, $0.write(self)) })
        object[Self.limitsKey] = .object(JSONObject(Self.limitFields.map { ($0.declaration.name, $0.write(self)) }))
        return object
    }

    /// The options of `worker.limits`, each declared once; defaults come from ``MessageLimits/init()``.
    enum LimitKeys {
        private static let defaults = MessageLimits()

        static let maxMessageSize = Option<Int>.integer(
            "max_message_size", default: defaults.maxMessageSize, range: 64...(1 << 30),
            description: "Largest message accepted, in bytes, checked before parsing.")
        static let maxDepth = Option<Int>.integer(
            "max_depth", default: defaults.maxDepth, range: 3...1024,
            description:
                "Deepest nesting of JSON arrays and objects in a message, the message object being level 1 and args/kwargs/labels level 2; checked while parsing."
        )
        static let maxArguments = Option<Int>.integer(
            "max_arguments", default: defaults.maxArguments, range: 0...1_000_000,
            description: "Most positional and keyword arguments together.")
        static let maxLabels = Option<Int>.integer(
            "max_labels", default: defaults.maxLabels, range: 0...100_000,
            description: "Most labels.")
        static let maxLabelKeySize = Option<Int>.integer(
            "max_label_key_size", default: defaults.maxLabelKeySize,
            range: 1...(1 << 20), description: "Longest label name, in bytes.")
        static let maxLabelValueSize = Option<Int>.integer(
            "max_label_value_size", default: defaults.maxLabelValueSize, range: 1...(1 << 30),
            description: "Longest label value in its wire (string) form, in bytes.")
    }
}
