/// How a ``NATSJetStreamBroker`` lays out its stream and consumer and treats deliveries; names
/// follow taskiq-nats' `PullBasedJetStreamBroker` parameters, defaults are its own.
public struct NATSJetStreamBrokerOptions: Sendable, Hashable {
    /// The subject tasks are published to (taskiq-nats' `subject`).
    public var subject: String = "taskiq_tasks"
    /// The stream that stores them (taskiq-nats' `stream_name`).
    public var streamName: String = "taskiq_jetstream"
    /// The durable pull consumer workers share (taskiq-nats' `durable`).
    public var durable: String = "taskiq_durable"
    /// What the stream keeps; ``NATSRetention/limits`` as taskiq-nats creates it.
    public var retention: NATSRetention = .limits
    /// Copies of the stream in a cluster (1–5; `num_replicas`).
    public var replicas: Int = 1
    /// Keep messages in memory instead of files (`storage: memory`); lost when the server stops.
    public var memoryStorage: Bool = false
    /// How long the server waits for an ack before delivering again (the consumer's `ack_wait`;
    /// 30 s, the server's default). A running task's delivery is kept alive with `+WPI` every
    /// third of it, so only a dead worker's deliveries come back.
    public var ackWait: Duration = .seconds(30)
    /// Deliveries after which a message is dead-lettered and terminated (`+TERM`) instead of run
    /// again; `nil` for no limit.
    public var maxDeliveries: Int? = 5
    /// The most messages a worker has requested or holds unacknowledged at once.
    public var batch: Int = 256
    /// How long one pull request waits on the server for messages (`expires`). NATS 2.9 cannot
    /// cancel a pull request, so a stopped worker's requests live this long; what they still
    /// bring is given back (delayed past this), so keep it short. An idle worker sends one
    /// request per period.
    public var pullExpires: Duration = .seconds(5)
    /// How long a kick keeps publishing (across reconnects and leader elections) before it fails.
    public var publishTimeout: Duration = .seconds(30)
    /// Whether each kick carries a `Nats-Msg-Id` of its own, so a publish sent again after a lost
    /// acknowledgement is stored once (within the stream's duplicate window, 2 minutes). `false`
    /// spares the server that tracking — about an eighth of its CPU per task — and a kick sent
    /// again may then run twice, as with taskiq-nats, which sends no ID.
    public var deduplicate: Bool = true
    /// The stream dead letters go to (subject `<deadLetterStream>`), created on first use.
    public var deadLetterStream: String = "taskiq_dead_letter"

    /// The defaults.
    public init() {}
}
