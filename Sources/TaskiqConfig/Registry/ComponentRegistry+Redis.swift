import Taskiq
import TaskiqRedis

extension ComponentRegistry {
    /// The `url` of every Redis component, checked by the Redis URL parser when the config is loaded.
    struct RedisConnectionKeys: OptionGroup {
        let url = Option<String>.address(
            "url", .redisURL, default: RedisDefaults.url,
            description:
                "redis://[user:password@]host:port/db, or rediss://… for TLS (query options ca_file, cert_file, key_file, server_name, insecure_skip_verify)."
        )
    }

    /// Caps on Redis replies, options of every Redis component that reads replies of any size;
    /// defaults come from ``RedisReplyLimits``.
    struct RedisReplyLimitKeys: OptionGroup {
        private static let defaults = RedisReplyLimits()

        let maxBulkLength = Option<Int>.integer(
            "max_bulk_length", default: Self.defaults.maxBulkLength, range: 1024...(512 << 20),
            description: "Longest bulk string Redis may send back, in bytes; a longer reply closes the connection (logged, counted).")
        let maxAggregateCount = Option<Int>.integer(
            "max_aggregate_count", default: Self.defaults.maxAggregateCount, range: 16...(1 << 30),
            description: "Most elements one array or map in a Redis reply may declare; more closes the connection (logged, counted).")

        /// The caps a component's options set.
        func limits(_ options: ComponentOptions) throws(ConfigError) -> RedisReplyLimits {
            RedisReplyLimits(maxBulkLength: try options[maxBulkLength], maxAggregateCount: try options[maxAggregateCount])
        }
    }

    /// How often the Redis brokers look for due delayed messages (the `delay` label).
    struct RedisDelayKeys: OptionGroup {
        let delayPollInterval = Option<Duration>.seconds(
            "delay_poll_interval", default: RedisStreamBrokerOptions().delayPollInterval, range: 0.01...3600,
            description: "Seconds a worker waits at most before looking for due delayed messages (the delay label).")
    }

    /// The options of the `redis_stream` broker; defaults come from ``RedisStreamBrokerOptions``.
    struct RedisStreamKeys: OptionGroup {
        private static let defaults = RedisStreamBrokerOptions()

        let connection = RedisConnectionKeys()
        let queueName = Option<String>.string(
            "queue_name", default: Self.defaults.queueName,
            description: "Stream key; a task's queue_name label overrides it per message.")
        let consumerGroupName = Option<String>.string(
            "consumer_group_name", default: Self.defaults.consumerGroupName,
            description: "Consumer group shared by the queue's workers.")
        let consumerName = Option<String?>.string(
            "consumer_name",
            description:
                "This worker's consumer name; null picks a fresh one per process. A stable name lets a restarted worker re-read its own pending entries."
        )
        let xreadBlock = Option<Duration>.milliseconds(
            "xread_block", default: Self.defaults.xreadBlock, range: 1...600_000,
            description: "Milliseconds one XREADGROUP blocks.")
        let xreadCount = Option<Int>.integer(
            "xread_count", default: Self.defaults.xreadCount, range: 1...10_000,
            description: "Most entries one read returns.")
        let idleTimeout = Option<Duration>.milliseconds(
            "idle_timeout", default: Self.defaults.idleTimeout, range: 1000...Int(Int32.max),
            description: "Milliseconds after which any pending entry is claimed with XAUTOCLAIM (the backstop).")
        let maxlen = Option<Int?>.integer(
            "maxlen", range: 1...Int.max, description: "Cap the stream at about this many entries (XADD MAXLEN ~); null keeps all.")
        let leaseTTL = Option<Duration>.seconds(
            "lease_ttl", default: Self.defaults.leaseTTL, range: 0.1...3600,
            description: "Seconds a worker's liveness lease lives without renewal; entries of consumers without a lease are claimed.")
        let leaseRenewInterval = Option<Duration>.seconds(
            "lease_renew_interval", default: Self.defaults.leaseRenewInterval, range: 0.05...3600,
            description: "Seconds between lease renewals and looks for dead consumers' entries; keep it well below lease_ttl.")
        let maxDeliveries = Option<Int>.integer(
            "max_deliveries", default: Self.defaults.maxDeliveries, range: 1...1000,
            description: "Deliveries after which an entry goes to the dead-letter stream.")
        let deadLetterStream = Option<String?>.string(
            "dead_letter_stream", description: "Stream for dead-lettered entries; null means <queue_name>:dead.")
        let waitForReplicas = Option<Int>.integer(
            "wait_for_replicas", default: Self.defaults.replicasToAcknowledge, range: 0...100,
            description:
                "Replicas that must have a kicked message before the kick returns (WAIT); 0 returns once the master has it, which a failover right after can lose."
        )
        let waitForReplicasTimeout = Option<Duration>.milliseconds(
            "wait_for_replicas_timeout", default: Self.defaults.replicaAcknowledgeTimeout, range: 1...600_000,
            description: "Milliseconds a kick waits for wait_for_replicas replicas before it fails (the message stays on the master).")
        let priorities = Option<Int>.integer(
            "priorities", default: Self.defaults.priorities, range: 1...RedisStreamBrokerOptions.maximumPriorities,
            description:
                "Priority levels: with N > 1, a task's priority label p (1...N-1) goes to the stream <queue_name>:priority:<p>, 0 or none to <queue_name>, and workers read the highest first; 1 ignores the label."
        )
        let delay = RedisDelayKeys()
        let replyLimits = RedisReplyLimitKeys()
    }

    /// The options of the `redis_list` broker; defaults come from ``RedisListBroker/Defaults``.
    struct RedisListKeys: OptionGroup {
        let connection = RedisConnectionKeys()
        let queueName = Option<String>.string(
            "queue_name", default: RedisListBroker.Defaults.queueName,
            description: "List key; a task's queue_name label overrides it per message.")
        let blockTimeout = Option<Duration>.seconds(
            "block_timeout", default: RedisListBroker.Defaults.blockTimeout, range: 0.01...3600,
            description: "Seconds one BRPOP blocks before it is issued again.")
        let delay = RedisDelayKeys()
        let replyLimits = RedisReplyLimitKeys()
    }

    /// The options of the `redis` result backend.
    struct RedisResultBackendKeys: OptionGroup {
        let connection = RedisConnectionKeys()
        let prefix = Option<String?>.string(
            "prefix_str", description: "Stores results under <prefix_str>:<task_id>; null stores them under the task ID.")
        let expirySeconds = Option<Int?>.integer(
            "result_ex_time", range: 1...Int.max,
            description: "Seconds results and progress are kept; null keeps them. Exclusive with result_px_time.")
        let expiryMilliseconds = Option<Int?>.integer(
            "result_px_time", range: 1...Int.max,
            description: "Milliseconds results and progress are kept; null keeps them. Exclusive with result_ex_time.")
        let keepResults = Option<Bool>.boolean(
            "keep_results", default: RedisResultBackend.defaultKeepResults,
            description: "Keep a result after it is read; false deletes it on the first read (GETDEL).")
        let replyLimits = RedisReplyLimitKeys()
    }

    /// The options of the `redis` dead-letter queue.
    struct RedisDeadLetterKeys: OptionGroup {
        let connection = RedisConnectionKeys()
        let stream = Option<String>.string("stream", default: "taskiq:dead", description: "The stream key.")
        let maxlen = Option<Int?>.integer(
            "maxlen", range: 1...Int.max,
            description: "Cap the stream at about this many letters (XADD MAXLEN ~), oldest dropped; null keeps all.")
    }

    /// The options of the `redis` scheduler lease; defaults come from ``RedisSchedulerLease/Defaults``.
    struct RedisLeaseKeys: OptionGroup {
        let connection = RedisConnectionKeys()
        let key = Option<String>.string(
            "key", default: RedisSchedulerLease.defaultKey,
            description: "The lease key, the same for every scheduler that shares the schedules.")
        let ttl = Option<Duration>.seconds(
            "ttl", default: RedisSchedulerLease.Defaults.ttl, range: 0.1...86_400,
            description: "Seconds the lease lives without renewal: how long sending pauses when its holder crashes.")
        let renewInterval = Option<Duration>.seconds(
            "renew_interval", default: RedisSchedulerLease.Defaults.renewInterval, range: 0.05...86_400,
            description: "Seconds between renewals by the holder and tries by the others; shorter than ttl.")
    }

    /// The options of the `redis` scheduler state store.
    struct RedisStateStoreKeys: OptionGroup {
        let connection = RedisConnectionKeys()
        let prefix = Option<String>.string(
            "prefix", default: RedisSchedulerStateStore.defaultPrefix,
            description: "Key prefix: a schedule's last slot is <prefix>:<schedule_id>.")
    }

    /// Checks that a lease's renewal interval is shorter than its time to live: otherwise the
    /// holder loses the lease between two renewals, and `consequence` says what that costs.
    private static func requireShorter(
        _ renew: Option<Duration>, than ttl: Option<Duration>, in options: ComponentOptions,
        or consequence: String
    ) throws(ConfigError) {
        let renewValue = try options[renew]
        let ttlValue = try options[ttl]
        guard renewValue < ttlValue else {
            throw ConfigError(
                .impossibleSettings, file: "", path: renew.name,
                "\(renew.name) (\(renewValue.inSeconds) s) must be shorter than \(ttl.name) (\(ttlValue.inSeconds) s), or \(consequence)")
        }
    }

    /// Registers the Redis types: the `redis_stream` and `redis_list` brokers, the `redis` result
    /// backend, dead-letter queue, scheduler lease and scheduler state store.
    mutating func registerRedisTypes() {
        registerRedisBrokers()
        let results = RedisResultBackendKeys()
        register(
            resultBackend: "redis",
            summary:
                "Stores results in Redis as taskiq-redis's RedisAsyncResultBackend does with JSONSerializer; Swift waiters are woken by pub/sub.",
            options: results.declarations,
            check: { options throws(ConfigError) in
                if try options[results.expirySeconds] != nil, try options[results.expiryMilliseconds] != nil {
                    throw ConfigError(
                        .impossibleSettings, file: "", path: results.expiryMilliseconds.name,
                        "result_ex_time and result_px_time are both set; expected at most one of them")
                }
            }
        ) { options in
            let seconds = try options[results.expirySeconds]
            let milliseconds = try options[results.expiryMilliseconds]
            var configuration = try RedisConfiguration(url: try options[results.connection.url])
            configuration.apply(try results.replyLimits.limits(options))
            return try RedisResultBackend(
                configuration: configuration, prefix: try options[results.prefix],
                expiry: seconds.map { .seconds($0) } ?? milliseconds.map { .milliseconds($0) },
                keepResults: try options[results.keepResults])
        }

        let letters = RedisDeadLetterKeys()
        register(
            deadLetterQueue: "redis",
            summary:
                "Keeps dead letters in a Redis stream (one entry per letter), readable by every worker and by `taskiq-run dead-letters`.",
            options: letters.declarations
        ) { options in
            try RedisStreamDeadLetterQueue(
                url: try options[letters.connection.url], stream: try options[letters.stream],
                maxlen: try options[letters.maxlen])
        }

        let lease = RedisLeaseKeys()
        register(
            schedulerLease: "redis",
            summary:
                "A lease key in Redis (SET NX PX, renewed by its holder): one of several scheduler processes sends, the others stand by and take over when it expires.",
            options: lease.declarations,
            check: { options throws(ConfigError) in
                try Self.requireShorter(
                    lease.renewInterval, than: lease.ttl, in: options,
                    or: "the holder loses the lease between renewals")
            }
        ) { options in
            try RedisSchedulerLease(
                url: try options[lease.connection.url], key: try options[lease.key],
                ttl: try options[lease.ttl], renewInterval: try options[lease.renewInterval])
        }

        let store = RedisStateStoreKeys()
        register(
            schedulerStateStore: "redis",
            summary:
                "Records each schedule's last sent slot in Redis, claimed atomically: shared by every scheduler process and kept across restarts.",
            options: store.declarations
        ) { options in
            try RedisSchedulerStateStore(url: try options[store.connection.url], prefix: try options[store.prefix])
        }
    }

    private mutating func registerRedisBrokers() {
        let stream = RedisStreamKeys()
        register(
            broker: "redis_stream",
            summary:
                "Durable, acknowledged delivery over a Redis stream and consumer group; wire-compatible with taskiq-redis RedisStreamBroker.",
            options: stream.declarations,
            check: { options throws(ConfigError) in
                try Self.requireShorter(
                    stream.leaseRenewInterval, than: stream.leaseTTL, in: options,
                    or: "live workers lose their entries")
            }
        ) { options in
            let settings = RedisStreamBrokerOptions(
                queueName: try options[stream.queueName], consumerGroupName: try options[stream.consumerGroupName],
                consumerName: try options[stream.consumerName],
                xreadBlock: try options[stream.xreadBlock], xreadCount: try options[stream.xreadCount],
                idleTimeout: try options[stream.idleTimeout], maxlen: try options[stream.maxlen],
                leaseTTL: try options[stream.leaseTTL], leaseRenewInterval: try options[stream.leaseRenewInterval],
                maxDeliveries: try options[stream.maxDeliveries], deadLetterStream: try options[stream.deadLetterStream],
                delayPollInterval: try options[stream.delay.delayPollInterval],
                replicasToAcknowledge: try options[stream.waitForReplicas],
                replicaAcknowledgeTimeout: try options[stream.waitForReplicasTimeout],
                priorities: try options[stream.priorities])
            return try RedisStreamBroker(
                url: try options[stream.connection.url], options: settings,
                replyLimits: try stream.replyLimits.limits(options))
        }

        let list = RedisListKeys()
        register(
            broker: "redis_list",
            summary:
                "At-most-once work queue over a Redis list (LPUSH/BRPOP); wire-compatible with taskiq-redis ListQueueBroker. A task whose worker dies is lost.",
            options: list.declarations
        ) { options in
            try RedisListBroker(
                url: try options[list.connection.url], queueName: try options[list.queueName],
                blockTimeout: try options[list.blockTimeout],
                delayPollInterval: try options[list.delay.delayPollInterval],
                replyLimits: try list.replyLimits.limits(options))
        }
    }
}
