import Taskiq

/// The `worker` section: how a worker process runs tasks, shuts down and logs.
public struct WorkerSettings: Sendable, Hashable {
    /// Worker processes; more than one needs a broker that other processes can reach.
    public var workers: Int = 1
    /// Tasks running at once per process; 0 means unlimited.
    public var maxAsyncTasks: Int = 100
    /// Deliveries taken ahead of those running.
    public var maxPrefetch: Int = 0
    /// When deliveries are acknowledged.
    public var ackType: AckType = .whenSaved
    /// How long a stop may take in all, draining included.
    public var shutdownTimeout: Duration = .seconds(30)
    /// How long to let running tasks finish after intake stops; `nil` waits up to ``shutdownTimeout``.
    public var waitTasksTimeout: Duration? = nil
    /// Tasks a worker process runs before it is replaced; `nil` for no limit.
    public var maxTasksPerChild: Int? = nil
    /// The least severe level logged.
    public var logLevel: LogLevel = .info
    /// How log lines are written.
    public var logFormat: LogOutputFormat = .text
    /// The file log lines are appended to; `nil` writes them to standard error. When a write
    /// fails at run time (disk full, file gone), logging falls back to standard error.
    public var logFile: String? = nil
    /// Caps on incoming messages (`worker.limits`).
    public var limits = MessageLimits()

    /// The key of the nested limits object.
    static let limitsKey = "limits"

    /// Creates settings with the defaults.
    public init() {}

    /// The settings the `worker` section accepts; validation and the schema both use them.
    public static let options: [ComponentOption] = [
        .integer("workers", default: 1, range: 1...1024, description: "Worker processes."),
        .integer("max_async_tasks", default: 100, range: 0...1_000_000,
                 description: "Tasks running at once per process; 0 means unlimited."),
        .integer("max_prefetch", default: 0, range: 0...1_000_000, description: "Deliveries taken ahead of those running."),
        .choice("ack_type", AckType.allCases.map(\.rawValue), default: AckType.whenSaved.rawValue,
                description: "When deliveries are acknowledged."),
        .number("shutdown_timeout", default: 30, range: 0...86_400,
                description: "Seconds a stop may take in all, draining included."),
        .number("wait_tasks_timeout", default: nil, range: 0...86_400,
                description: "Seconds running tasks may take to finish after intake stops; null waits up to shutdown_timeout."),
        .integer("max_tasks_per_child", default: nil, range: 1...Int.max,
                 description: "Tasks a worker process runs before it is replaced; null for no limit."),
        .choice("log_level", LogLevel.allCases.map(\.rawValue), default: "info", description: "The least severe level logged."),
        .choice("log_format", LogOutputFormat.allCases.map(\.rawValue), default: "text",
                description: "How log lines are written: text for people, json for log shippers."),
        .string("log_file", default: nil,
                description: "File log lines are appended to (created if missing); null writes to standard error. If a write fails later (disk full), logging falls back to standard error."),
    ]

    /// The settings the `worker.limits` object accepts. Each cap has a safe default; a message
    /// over one is rejected (logged, counted, acknowledged) instead of run.
    public static let limitOptions: [ComponentOption] = {
        let defaults = MessageLimits()
        return [
            .integer("max_message_size", default: defaults.maxMessageSize, range: 64...(1 << 30),
                     description: "Largest message accepted, in bytes, checked before parsing."),
            .integer("max_depth", default: defaults.maxDepth, range: 3...1024,
                     description: "Deepest nesting of JSON arrays and objects in a message, the message object being level 1 and args/kwargs/labels level 2; checked while parsing."),
            .integer("max_arguments", default: defaults.maxArguments, range: 0...1_000_000,
                     description: "Most positional and keyword arguments together."),
            .integer("max_labels", default: defaults.maxLabels, range: 0...100_000, description: "Most labels."),
            .integer("max_label_key_size", default: defaults.maxLabelKeySize, range: 1...(1 << 20),
                     description: "Longest label name, in bytes."),
            .integer("max_label_value_size", default: defaults.maxLabelValueSize, range: 1...(1 << 30),
                     description: "Longest label value in its wire (string) form, in bytes."),
        ]
    }()

    /// Reads validated values (see ``options``), and the validated `limits` object (see ``limitOptions``).
    init(_ values: ComponentOptions, limits: ComponentOptions) throws(ConfigError) {
        self.limits = MessageLimits(
            maxMessageSize: try limits.int("max_message_size"), maxDepth: try limits.int("max_depth"),
            maxArguments: try limits.int("max_arguments"), maxLabels: try limits.int("max_labels"),
            maxLabelKeySize: try limits.int("max_label_key_size"),
            maxLabelValueSize: try limits.int("max_label_value_size"))
        workers = try values.int("workers")
        maxAsyncTasks = try values.int("max_async_tasks")
        maxPrefetch = try values.int("max_prefetch")
        ackType = AckType(label: try values.string("ack_type")) ?? .whenSaved
        shutdownTimeout = .milliseconds(Int((try values.double("shutdown_timeout") * 1000).rounded()))
        waitTasksTimeout = try values.optionalDouble("wait_tasks_timeout").map { .milliseconds(Int(($0 * 1000).rounded())) }
        maxTasksPerChild = try values.optionalInt("max_tasks_per_child")
        logLevel = LogLevel(try values.string("log_level")) ?? .info
        logFormat = LogOutputFormat(rawValue: try values.string("log_format")) ?? .text
        logFile = try values.optionalString("log_file")
    }
}
