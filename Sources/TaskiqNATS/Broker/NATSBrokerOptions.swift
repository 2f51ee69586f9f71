/// How a ``NATSBroker`` (core NATS, no persistence) publishes and subscribes; names follow
/// taskiq-nats' `NatsBroker` parameters.
public struct NATSBrokerOptions: Sendable, Hashable {
    /// The subject tasks are published to and workers subscribe to (taskiq-nats' `subject`).
    public var subject: String = "taskiq_tasks"
    /// The queue group workers join, so each task runs on one worker (taskiq-nats' `queue`).
    ///
    /// `taskiq_workers` by default. taskiq-nats' default is no group (`queue=None`): **every**
    /// worker then receives and runs every task. `nil` does the same here; give Python workers
    /// `queue="taskiq_workers"` to share tasks with Swift workers.
    public var queueGroup: String? = "taskiq_workers"
    /// How long a kick waits for a connection while the client reconnects.
    public var publishTimeout: Duration = .seconds(10)

    /// The defaults.
    public init() {}
}
