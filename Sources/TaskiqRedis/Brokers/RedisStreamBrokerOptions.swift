import Taskiq

/// How a ``RedisStreamBroker`` reads, claims and dead-letters; names follow taskiq-redis.
public struct RedisStreamBrokerOptions: Sendable {
    /// The stream key tasks are added to and read from (taskiq-redis `queue_name`). A task's
    /// `queue_name` label sends it to another stream instead.
    public var queueName: String = "taskiq"
    /// The consumer group all workers of this queue share.
    public var consumerGroupName: String = "taskiq"
    /// This process's consumer name in the group; `nil` picks a fresh one per process.
    ///
    /// Give a stable name to let a restarted worker pick up its own pending entries at once.
    public var consumerName: String? = nil
    /// How long one `XREADGROUP` blocks waiting for entries.
    public var xreadBlock: Duration = .milliseconds(2000)
    /// The most entries one read returns.
    public var xreadCount: Int = 100
    /// The backstop: entries pending longer than this are claimed with `XAUTOCLAIM`, whoever
    /// holds them (live workers keep their own entries fresh, so only lost ones qualify).
    public var idleTimeout: Duration = .milliseconds(600_000)
    /// Caps the stream at about this many entries (`XADD MAXLEN ~ n`); `nil` keeps all.
    public var maxlen: Int? = nil
    /// How long a worker's liveness lease lives without renewal; entries of a consumer whose
    /// lease is gone (and which has been idle this long) are claimed by live workers.
    public var leaseTTL: Duration = .seconds(15)
    /// How often the lease is renewed and dead consumers' entries are looked for.
    public var leaseRenewInterval: Duration = .seconds(5)
    /// Deliveries after which an entry goes to the dead-letter stream instead of to a task.
    public var maxDeliveries: Int = 5
    /// Where dead-lettered entries go; `nil` means `<queue_name>:dead`.
    public var deadLetterStream: String? = nil
    /// The longest a worker waits before looking for due delayed messages (those kicked with a
    /// `delay` label, held in `<queue_name>:delayed`); it wakes earlier when it knows one is due.
    public var delayPollInterval: Duration = .seconds(1)
    /// How many replicas must have a kicked message before the kick returns (`WAIT`); 0 returns
    /// as soon as the master has it.
    ///
    /// Redis replicates asynchronously: a master that dies right after answering `XADD` may not
    /// have passed the entry on, and the replica the sentinels promote never had it. With 1 here,
    /// a kick that returns is on a replica too, at the cost of a replication round trip per
    /// kick; a kick the replicas do not confirm in time fails (the entry is on the master, and
    /// runs unless the master is lost), so the caller may kick again and the task may run twice.
    public var replicasToAcknowledge: Int = 0
    /// How long a kick waits for ``replicasToAcknowledge`` replicas before it fails.
    public var replicaAcknowledgeTimeout: Duration = .seconds(1)
    /// Priority levels (taskiq's `priority` label). With more than one, a message whose label is
    /// `p` in `1..<priorities` goes to the stream `<queue>:priority:<p>` (higher values are taken
    /// as the highest level), `0` or no label to `<queue>` itself, so Python producers and workers
    /// on the plain stream still interoperate; workers read the highest level first. With 1 (the
    /// default) the label is ignored, with a warning once.
    public var priorities: Int = 1

    /// The most priority levels: each is a stream a worker reads, so keep them few.
    public static let maximumPriorities = 16

    /// Creates options; every field has taskiq-redis's default, or ours for the lease and dead letters.
    public init(
        queueName: String = "taskiq", consumerGroupName: String = "taskiq", consumerName: String? = nil,
        xreadBlock: Duration = .milliseconds(2000), xreadCount: Int = 100,
        idleTimeout: Duration = .milliseconds(600_000), maxlen: Int? = nil,
        leaseTTL: Duration = .seconds(15), leaseRenewInterval: Duration = .seconds(5),
        maxDeliveries: Int = 5, deadLetterStream: String? = nil, delayPollInterval: Duration = .seconds(1),
        replicasToAcknowledge: Int = 0, replicaAcknowledgeTimeout: Duration = .seconds(1),
        priorities: Int = 1
    ) {
        self.queueName = queueName
        self.consumerGroupName = consumerGroupName
        self.consumerName = consumerName
        self.xreadBlock = xreadBlock
        self.xreadCount = xreadCount
        self.idleTimeout = idleTimeout
        self.maxlen = maxlen
        self.leaseTTL = leaseTTL
        self.leaseRenewInterval = leaseRenewInterval
        self.maxDeliveries = maxDeliveries
        self.deadLetterStream = deadLetterStream
        self.delayPollInterval = delayPollInterval
        self.replicasToAcknowledge = replicasToAcknowledge
        self.replicaAcknowledgeTimeout = replicaAcknowledgeTimeout
        self.priorities = min(max(1, priorities), Self.maximumPriorities)
    }

    /// The stream of a priority level of `queue`: `queue` itself for 0, else `<queue>:priority:<level>`.
    public static func stream(_ queue: String, priority level: Int) -> String {
        level <= 0 ? queue : "\(queue):priority:\(level)"
    }

    /// This broker's streams, highest priority first, ending with ``queueName``.
    public var priorityStreams: [String] {
        (0..<max(1, priorities)).reversed().map { Self.stream(queueName, priority: $0) }
    }

    /// The dead-letter stream's key.
    public var resolvedDeadLetterStream: String { deadLetterStream ?? "\(queueName):dead" }
}
