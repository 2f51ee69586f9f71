import Taskiq

extension ComponentRegistry {
    /// The options every Redis component shares.
    enum RedisKeys {
        private static let replyDefaults = RedisReplyLimits()

        /// Checked by the Redis URL parser when the config is loaded.
        static let url = Option<String>.address("url", .redisURL, default: "redis://127.0.0.1:6379",
                                                description: "redis://[user:password@]host:port/db")
        static let maxBulkLength = Option<Int>.integer(
            "max_bulk_length", default: replyDefaults.maxBulkLength, range: 1024...(512 << 20),
            description: "Longest bulk string Redis may send back, in bytes; a longer reply closes the connection (logged, counted).")
        static let maxAggregateCount = Option<Int>.integer(
            "max_aggregate_count", default: replyDefaults.maxAggregateCount, range: 16...(1 << 30),
            description: "Most elements one array or map in a Redis reply may declare; more closes the connection (logged, counted).")
        /// How often the Redis brokers look for due delayed messages (the `delay` label).
        static let delayPollInterval = Option<Duration>.seconds(
            "delay_poll_interval", default: RedisStreamBrokerOptions().delayPollInterval, range: 0.01...3600,
            description: "Seconds a worker waits at most before looking for due delayed messages (the delay label).")

        /// The reply caps, options of every Redis component that reads replies of any size.
        static let replyLimits: [any OptionDeclaration] = [maxBulkLength, maxAggregateCount]

        static func replyLimits(_ options: ComponentOptions) throws(ConfigError) -> RedisReplyLimits {
            RedisReplyLimits(maxBulkLength: try options[maxBulkLength], maxAggregateCount: try options[maxAggregateCount])
        }
    }

    /// The options of the `redis_stream` broker; defaults come from ``RedisStreamBrokerOptions``.
    enum RedisStreamKeys {
        private static let defaults = RedisStreamBrokerOptions()

        static let queueName = Option<String>.string(
            "queue_name", default: defaults.queueName,
            description: "Stream key; a task's queue_name label overrides it per message.")
        static let consumerGroupName = Option<String>.string(
            "consumer_group_name", default: defaults.consumerGroupName,
            description: "Consumer group shared by the queue's workers.")
        static let consumerName = Option<String?>.string(
            "consumer_name",
            description: "This worker's consumer name; null picks a fresh one per process. A stable name lets a restarted worker re-read its own pending entries.")
        static let xreadBlock = Option<Duration>.milliseconds("xread_block", default: defaults.xreadBlock, range: 1...600_000,
                                                              description: "Milliseconds one XREADGROUP blocks.")
        static let xreadCount = Option<Int>.integer("xread_count", default: defaults.xreadCount, range: 1...10_000,
                                                    description: "Most entries one read returns.")
        static let idleTimeout = Option<Duration>.milliseconds(
            "idle_timeout", default: defaults.idleTimeout, range: 1000...Int(Int32.max),
            description: "Milliseconds after which any pending entry is claimed with XAUTOCLAIM (the backstop).")
        static let maxlen = Option<Int?>.integer(
            "maxlen", range: 1...Int.max, description: "Cap the stream at about this many entries (XADD MAXLEN ~); null keeps all.")
        static let leaseTTL = Option<Duration>.seconds(
            "lease_ttl", default: defaults.leaseTTL, range: 0.1...3600,
            description: "Seconds a worker's liveness lease lives without renewal; entries of consumers without a lease are claimed.")
        static let leaseRenewInterval = Option<Duration>.seconds(
            "lease_renew_interval", default: defaults.leaseRenewInterval, range: 0.05...3600,
            description: "Seconds between lease renewals and looks for dead consumers' entries; keep it well below lease_ttl.")
        static let maxDeliveries = Option<Int>.integer(
            "max_deliveries", default: defaults.maxDeliveries, range: 1...1000,
            description: "Deliveries after which an entry goes to the dead-letter stream.")
        static let deadLetterStream = Option<String?>.string(
            "dead_letter_stream", description: "Stream for dead-lettered entries; null means <queue_name>:dead.")
    }

    /// The options of the `redis_list` broker. Their defaults equal ``RedisListBroker``'s
    /// initialiser's, which `ComponentDefaultsTests` checks.
    enum RedisListKeys {
        static let queueName = Option<String>.string(
            "queue_name", default: "taskiq", description: "List key; a task's queue_name label overrides it per message.")
        static let blockTimeout = Option<Duration>.seconds(
            "block_timeout", default: .seconds(2), range: 0.01...3600,
            description: "Seconds one BRPOP blocks before it is issued again.")
    }

    /// The options of the `redis` result backend.
    enum RedisResultBackendKeys {
        static let prefix = Option<String?>.string(
            "prefix_str", description: "Stores results under <prefix_str>:<task_id>; null stores them under the task ID.")
        static let expirySeconds = Option<Int?>.integer(
            "result_ex_time", range: 1...Int.max,
            description: "Seconds results and progress are kept; null keeps them. Exclusive with result_px_time.")
        static let expiryMilliseconds = Option<Int?>.integer(
            "result_px_time", range: 1...Int.max,
            description: "Milliseconds results and progress are kept; null keeps them. Exclusive with result_ex_time.")
        static let keepResults = Option<Bool>.boolean(
            "keep_results", default: true,
            description: "Keep a result after it is read; false deletes it on the first read (GETDEL).")
    }

    /// The options of the `redis` dead-letter queue.
    enum RedisDeadLetterKeys {
        static let stream = Option<String>.string("stream", default: "taskiq:dead", description: "The stream key.")
        static let maxlen = Option<Int?>.integer(
            "maxlen", range: 1...Int.max,
            description: "Cap the stream at about this many letters (XADD MAXLEN ~), oldest dropped; null keeps all.")
    }

    /// The options of the `redis` scheduler lease and state store. Their defaults equal
    /// ``RedisSchedulerLease``'s initialiser's, which `ComponentDefaultsTests` checks.
    enum RedisSchedulerKeys {
        static let leaseKey = Option<String>.string(
            "key", default: RedisSchedulerLease.defaultKey,
            description: "The lease key, the same for every scheduler that shares the schedules.")
        static let ttl = Option<Duration>.seconds(
            "ttl", default: .seconds(30), range: 0.1...86_400,
            description: "Seconds the lease lives without renewal: how long sending pauses when its holder crashes.")
        static let renewInterval = Option<Duration>.seconds(
            "renew_interval", default: .seconds(10), range: 0.05...86_400,
            description: "Seconds between renewals by the holder and tries by the others; shorter than ttl.")
        static let statePrefix = Option<String>.string(
            "prefix", default: RedisSchedulerStateStore.defaultPrefix,
            description: "Key prefix: a schedule's last slot is <prefix>:<schedule_id>.")
    }

    /// Registers the Redis types: the `redis_stream` and `redis_list` brokers, the `redis` result
    /// backend, dead-letter queue, scheduler lease and scheduler state store.
    mutating func registerRedisTypes() {
        registerRedisBrokers()
        typealias Results = RedisResultBackendKeys
        typealias Letters = RedisDeadLetterKeys
        typealias Scheduler = RedisSchedulerKeys
        register(
            resultBackend: "redis",
            summary: "Stores results in Redis as taskiq-redis's RedisAsyncResultBackend does with JSONSerializer; Swift waiters are woken by pub/sub.",
            options: [RedisKeys.url, Results.prefix, Results.expirySeconds, Results.expiryMilliseconds, Results.keepResults]
                + RedisKeys.replyLimits,
            check: { options throws(ConfigError) in
                if try options[Results.expirySeconds] != nil, try options[Results.expiryMilliseconds] != nil {
                    throw ConfigError(.impossibleSettings, file: "", path: Results.expiryMilliseconds.name,
                                      "result_ex_time and result_px_time are both set; expected at most one of them")
                }
            }
        ) { options in
            let seconds = try options[Results.expirySeconds], milliseconds = try options[Results.expiryMilliseconds]
            var configuration = try RedisConfiguration(url: try options[RedisKeys.url])
            configuration.apply(try RedisKeys.replyLimits(options))
            return try RedisResultBackend(configuration: configuration, prefix: try options[Results.prefix],
                                          expiry: seconds.map { .seconds($0) } ?? milliseconds.map { .milliseconds($0) },
                                          keepResults: try options[Results.keepResults])
        }

        register(
            deadLetterQueue: "redis",
            summary: "Keeps dead letters in a Redis stream (one entry per letter), readable by every worker and by `taskiq-run dead-letters`.",
            options: [RedisKeys.url, Letters.stream, Letters.maxlen]
        ) { options in
            try RedisStreamDeadLetterQueue(url: try options[RedisKeys.url], stream: try options[Letters.stream],
                                           maxlen: try options[Letters.maxlen])
        }

        register(
            schedulerLease: "redis",
            summary: "A lease key in Redis (SET NX PX, renewed by its holder): one of several scheduler processes sends, the others stand by and take over when it expires.",
            options: [RedisKeys.url, Scheduler.leaseKey, Scheduler.ttl, Scheduler.renewInterval],
            check: { options throws(ConfigError) in
                let ttl = try options[Scheduler.ttl], renew = try options[Scheduler.renewInterval]
                guard renew < ttl else {
                    throw ConfigError(.impossibleSettings, file: "", path: Scheduler.renewInterval.name,
                                      "renew_interval (\(renew.seconds) s) must be shorter than ttl (\(ttl.seconds) s), or the holder loses the lease between renewals")
                }
            }
        ) { options in
            try RedisSchedulerLease(url: try options[RedisKeys.url], key: try options[Scheduler.leaseKey],
                                    ttl: try options[Scheduler.ttl], renewInterval: try options[Scheduler.renewInterval])
        }
        register(
            schedulerStateStore: "redis",
            summary: "Records each schedule's last sent slot in Redis, claimed atomically: shared by every scheduler process and kept across restarts.",
            options: [RedisKeys.url, Scheduler.statePrefix]
        ) { options in
            try RedisSchedulerStateStore(url: try options[RedisKeys.url], prefix: try options[Scheduler.statePrefix])
        }
    }

    private mutating func registerRedisBrokers() {
        typealias Stream = RedisStreamKeys
        typealias List = RedisListKeys
        register(
            broker: "redis_stream",
            summary: "Durable, acknowledged delivery over a Redis stream and consumer group; wire-compatible with taskiq-redis RedisStreamBroker.",
            options: [RedisKeys.url, Stream.queueName, Stream.consumerGroupName, Stream.consumerName, Stream.xreadBlock,
                      Stream.xreadCount, Stream.idleTimeout, Stream.maxlen, Stream.leaseTTL, Stream.leaseRenewInterval,
                      Stream.maxDeliveries, Stream.deadLetterStream, RedisKeys.delayPollInterval] + RedisKeys.replyLimits,
            check: { options throws(ConfigError) in
                let leaseTTL = try options[Stream.leaseTTL], renew = try options[Stream.leaseRenewInterval]
                guard renew < leaseTTL else {
                    throw ConfigError(.impossibleSettings, file: "", path: Stream.leaseRenewInterval.name,
                                      "lease_renew_interval (\(renew.seconds) s) must be shorter than lease_ttl (\(leaseTTL.seconds) s), or live workers lose their entries")
                }
            }
        ) { options in
            let settings = RedisStreamBrokerOptions(
                queueName: try options[Stream.queueName], consumerGroupName: try options[Stream.consumerGroupName],
                consumerName: try options[Stream.consumerName],
                xreadBlock: try options[Stream.xreadBlock], xreadCount: try options[Stream.xreadCount],
                idleTimeout: try options[Stream.idleTimeout], maxlen: try options[Stream.maxlen],
                leaseTTL: try options[Stream.leaseTTL], leaseRenewInterval: try options[Stream.leaseRenewInterval],
                maxDeliveries: try options[Stream.maxDeliveries], deadLetterStream: try options[Stream.deadLetterStream],
                delayPollInterval: try options[RedisKeys.delayPollInterval])
            return try RedisStreamBroker(url: try options[RedisKeys.url], options: settings,
                                         replyLimits: try RedisKeys.replyLimits(options))
        }

        register(
            broker: "redis_list",
            summary: "At-most-once work queue over a Redis list (LPUSH/BRPOP); wire-compatible with taskiq-redis ListQueueBroker. A task whose worker dies is lost.",
            options: [RedisKeys.url, List.queueName, List.blockTimeout, RedisKeys.delayPollInterval] + RedisKeys.replyLimits
        ) { options in
            try RedisListBroker(url: try options[RedisKeys.url], queueName: try options[List.queueName],
                                blockTimeout: try options[List.blockTimeout],
                                delayPollInterval: try options[RedisKeys.delayPollInterval],
                                replyLimits: try RedisKeys.replyLimits(options))
        }
    }
}
