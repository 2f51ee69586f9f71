/// How a ``Receiver`` runs tasks.
public struct ReceiverOptions: Sendable {
    /// Tasks running at once; `0` or less means unlimited. taskiq's worker default is 100.
    public var maxAsyncTasks: Int
    /// Deliveries taken from the broker beyond those running. Default 0.
    public var maxPrefetch: Int
    /// When deliveries are acknowledged, unless a message's `ack_type` label says otherwise.
    public var ackType: AckType
    /// Apply lossless conversions to arguments (`"5"` → `5` for an `Int` parameter).
    public var castTypes: Bool
    /// Threads that run synchronous tasks.
    public var syncTasksPoolSize: Int
    /// A Python-logging-style format for logs captured into results (`"%(levelname)s %(message)s"`);
    /// `nil` captures nothing.
    public var logsFormat: String?
    /// How long to wait for running tasks after intake stops; `nil` waits for all of them.
    public var waitTasksTimeout: Duration?
    /// Stop taking deliveries after this many, drain, and return from `run()` (so a supervisor
    /// can replace the process: taskiq's `max_tasks_per_child`); `nil` never stops.
    public var maxDeliveries: Int?
    /// The broker's configured name, written into dead letters so a replay can find it; `nil` when unnamed.
    public var brokerName: String?
    /// Caps on incoming messages; a message over one is rejected as undecodable, with the cap as reason.
    public var limits: MessageLimits
    /// Rate limits per task and for the queue; a limited delivery waits without holding a runner.
    public var rateLimits: RateLimits

    /// Creates options with taskiq's defaults (the one place they are written).
    public init(
        maxAsyncTasks: Int = 100, maxPrefetch: Int = 0, ackType: AckType = .whenSaved,
        castTypes: Bool = true, syncTasksPoolSize: Int = 4, logsFormat: String? = nil,
        waitTasksTimeout: Duration? = nil, maxDeliveries: Int? = nil, brokerName: String? = nil,
        limits: MessageLimits = MessageLimits(), rateLimits: RateLimits = RateLimits()
    ) {
        self.maxAsyncTasks = maxAsyncTasks
        self.maxPrefetch = maxPrefetch
        self.ackType = ackType
        self.castTypes = castTypes
        self.syncTasksPoolSize = syncTasksPoolSize
        self.logsFormat = logsFormat
        self.waitTasksTimeout = waitTasksTimeout
        self.maxDeliveries = maxDeliveries
        self.brokerName = brokerName
        self.limits = limits
        self.rateLimits = rateLimits
    }
}
