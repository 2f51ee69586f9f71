import Taskiq

/// The `worker` section: how a worker process runs tasks, shuts down and logs, whichever the broker.
///
/// The defaults below are the only place they are written: the config's declarations
/// (`Keys`, in `WorkerSettings+Keys.swift`) read them from a default instance.
public struct WorkerSettings: Sendable, Hashable {
    /// Worker processes; more than one needs a broker that other processes can reach.
    public var workers: Int = 1
    /// Tasks running at once per process; 0 means unlimited.
    public var maxAsyncTasks: Int = ReceiverOptions().maxAsyncTasks
    /// Deliveries taken ahead of those running.
    public var maxPrefetch: Int = ReceiverOptions().maxPrefetch
    /// When deliveries are acknowledged.
    public var ackType: AckType = ReceiverOptions().ackType
    /// Whether arguments are converted losslessly to the parameter types (`"5"` to `5`).
    public var castTypes: Bool = ReceiverOptions().castTypes
    /// Threads that run synchronous tasks.
    public var syncTasksPoolSize: Int = ReceiverOptions().syncTasksPoolSize
    /// A Python-logging-style format for logs captured into results; `nil` captures none.
    public var logsFormat: String? = ReceiverOptions().logsFormat
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
    /// The rate limit shared by every task of the queue (`"100/m"`); `nil` for none.
    public var queueRateLimit: String? = nil
    /// Rate limits per task.
    public var rateLimits: [TaskRateLimitSetting] = []

    /// The key of the nested limits object.
    static let limitsKey = "limits"

    /// Creates settings with the defaults.
    public init() {}

    /// The settings the `worker` section accepts; validation and the schema both use them.
    public static let options: [ComponentOption] = fields.map(\.declaration)

    /// The settings the `worker.limits` object accepts. Each cap has a safe default; a message
    /// over one is rejected (logged, counted, acknowledged) instead of run.
    public static let limitOptions: [ComponentOption] = limitFields.map(\.declaration)

    /// Reads validated values (see ``options``), and the validated `limits` object (see ``limitOptions``).
    init(_ values: ComponentOptions, limits: ComponentOptions) throws(ConfigError) {
        for field in Self.fields { try field.read(values, &self) }
        for field in Self.limitFields { try field.read(limits, &self) }
    }
}
