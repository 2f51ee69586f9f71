import Taskiq
import TaskiqZeroMQ
import TaskiqRedis

extension ComponentRegistry {
    /// The built-in types: the `inmemory`, `zeromq`, `redis_stream` and `redis_list` brokers; the
    /// `inmemory`, `redis` and `dummy` result backends; the `simple_retry` and `smart_retry` middlewares;
    /// the `uuid4`, `uuid7` and `uuid4_dashed` task-ID generators; the `local` and `redis` scheduler
    /// leases and the `inmemory` and `redis` scheduler state stores;
    /// the `redis`, `file` and `inmemory` dead-letter queues.
    public static var standard: ComponentRegistry {
        var registry = ComponentRegistry()
        registry.register(
            broker: "inmemory",
            summary: "Runs tasks inside this process as they are kicked; for development, tests and one-off runs.",
            options: [
                .integer("sync_tasks_pool_size", default: 4, range: 1...1024,
                         description: "Threads that run synchronous tasks."),
                .integer("max_stored_results", default: 100, range: -1...Int.max,
                         description: "Results kept by the broker's own in-memory backend; -1 keeps all."),
                .boolean("cast_types", default: true,
                         description: "Convert arguments losslessly to the parameter types (\"5\" to 5)."),
                .string("logs_format", default: nil,
                        description: "Python-logging-style format for logs captured into results; null captures none."),
                .boolean("await_inplace", default: false,
                         description: "Make kiq return only after the task finished."),
            ],
            isProcessLocal: true
        ) { options in
            InMemoryBroker(syncTasksPoolSize: try options.int("sync_tasks_pool_size"),
                           logsFormat: try options.optionalString("logs_format"),
                           maxStoredResults: try options.int("max_stored_results"),
                           castTypes: try options.bool("cast_types"),
                           awaitInplace: try options.bool("await_inplace"))
        }

        registry.register(
            broker: "zeromq",
            summary: "ZeroMQ over TCP (native ZMTP): pub_sub is wire-compatible with Python taskiq; push_pull sends each task to one worker.",
            options: [
                .address("zmq_pub_host", .zeroMQBindEndpoint, default: "tcp://127.0.0.1:5555",
                         description: "Address the producer binds (tcp://host:port; * for every interface)."),
                .address("zmq_sub_host", .zeroMQConnectEndpoint, default: "tcp://127.0.0.1:5555",
                         description: "Address workers connect to (tcp://host:port)."),
                .choice("pattern", ZeroMQBroker.Pattern.allCases.map(\.rawValue), default: "pub_sub",
                        description: "pub_sub: every worker gets every task (run one worker); push_pull: each task goes to one worker."),
                .number("subscriber_timeout", default: 5, range: 0...3600,
                        description: "Seconds a pub_sub kick waits for a first subscriber before failing."),
                .number("send_timeout", default: 5, range: 0...3600,
                        description: "Seconds a push_pull kick waits for a worker before failing."),
                .integer("max_message_size", default: 8 << 20, range: 1024...(1 << 30),
                         description: "Largest message accepted from a peer, in bytes; a peer sending more is disconnected, logged and counted."),
                .integer("max_frame_size", default: nil, range: 64...(1 << 30),
                         description: "Largest frame a peer may declare, in bytes, checked before the frame is read; null for max_message_size."),
                .integer("max_connections", default: 256, range: 1...65536,
                         description: "Connections the producer's bound endpoint serves at once (each costs one or two threads); more are closed and logged."),
            ]
        ) { options in
            ZeroMQBroker(zmqPubHost: try options.string("zmq_pub_host"), zmqSubHost: try options.string("zmq_sub_host"),
                         pattern: ZeroMQBroker.Pattern(rawValue: try options.string("pattern")) ?? .pubSub,
                         subscriberTimeout: .seconds(try options.double("subscriber_timeout")),
                         sendTimeout: .seconds(try options.double("send_timeout")),
                         maxMessageSize: try options.int("max_message_size"),
                         maxFrameSize: try options.optionalInt("max_frame_size"),
                         maxConnections: try options.int("max_connections"))
        }

        registry.register(
            broker: "redis_stream",
            summary: "Durable, acknowledged delivery over a Redis stream and consumer group; wire-compatible with taskiq-redis RedisStreamBroker.",
            options: [
                redisURLOption,
                .string("queue_name", default: "taskiq", description: "Stream key; a task's queue_name label overrides it per message."),
                .string("consumer_group_name", default: "taskiq", description: "Consumer group shared by the queue's workers."),
                .string("consumer_name", default: nil,
                        description: "This worker's consumer name; null picks a fresh one per process. A stable name lets a restarted worker re-read its own pending entries."),
                .integer("xread_block", default: 2000, range: 1...600_000, description: "Milliseconds one XREADGROUP blocks."),
                .integer("xread_count", default: 100, range: 1...10_000, description: "Most entries one read returns."),
                .integer("idle_timeout", default: 600_000, range: 1000...Int(Int32.max),
                         description: "Milliseconds after which any pending entry is claimed with XAUTOCLAIM (the backstop)."),
                .integer("maxlen", default: nil, range: 1...Int.max, description: "Cap the stream at about this many entries (XADD MAXLEN ~); null keeps all."),
                .number("lease_ttl", default: 15, range: 0.1...3600,
                        description: "Seconds a worker's liveness lease lives without renewal; entries of consumers without a lease are claimed."),
                .number("lease_renew_interval", default: 5, range: 0.05...3600,
                        description: "Seconds between lease renewals and looks for dead consumers' entries; keep it well below lease_ttl."),
                .integer("max_deliveries", default: 5, range: 1...1000,
                         description: "Deliveries after which an entry goes to the dead-letter stream."),
                .string("dead_letter_stream", default: nil, description: "Stream for dead-lettered entries; null means <queue_name>:dead."),
                delayPollIntervalOption,
            ] + redisReplyLimitOptions,
            check: { options throws(ConfigError) in
                let leaseTTL = try options.double("lease_ttl"), renew = try options.double("lease_renew_interval")
                guard renew < leaseTTL else {
                    throw ConfigError(.impossibleSettings, file: "", path: "lease_renew_interval",
                                      "lease_renew_interval (\(renew) s) must be shorter than lease_ttl (\(leaseTTL) s), or live workers lose their entries")
                }
            }
        ) { options in
            let leaseTTL = try options.double("lease_ttl"), renew = try options.double("lease_renew_interval")
            let settings = RedisStreamBrokerOptions(
                queueName: try options.string("queue_name"), consumerGroupName: try options.string("consumer_group_name"),
                consumerName: try options.optionalString("consumer_name"),
                xreadBlock: .milliseconds(try options.int("xread_block")), xreadCount: try options.int("xread_count"),
                idleTimeout: .milliseconds(try options.int("idle_timeout")), maxlen: try options.optionalInt("maxlen"),
                leaseTTL: .milliseconds(Int(leaseTTL * 1000)), leaseRenewInterval: .milliseconds(Int(renew * 1000)),
                maxDeliveries: try options.int("max_deliveries"), deadLetterStream: try options.optionalString("dead_letter_stream"),
                delayPollInterval: try delayPollInterval(options))
            return try RedisStreamBroker(url: try options.string("url"), options: settings, replyLimits: try redisReplyLimits(options))
        }

        registry.register(
            broker: "redis_list",
            summary: "At-most-once work queue over a Redis list (LPUSH/BRPOP); wire-compatible with taskiq-redis ListQueueBroker. A task whose worker dies is lost.",
            options: [
                redisURLOption,
                .string("queue_name", default: "taskiq", description: "List key; a task's queue_name label overrides it per message."),
                .number("block_timeout", default: 2, range: 0.01...3600, description: "Seconds one BRPOP blocks before it is issued again."),
                delayPollIntervalOption,
            ] + redisReplyLimitOptions
        ) { options in
            try RedisListBroker(url: try options.string("url"), queueName: try options.string("queue_name"),
                                blockTimeout: .milliseconds(Int(try options.double("block_timeout") * 1000)),
                                delayPollInterval: try delayPollInterval(options), replyLimits: try redisReplyLimits(options))
        }

        registry.register(
            resultBackend: "inmemory",
            summary: "Keeps results in this process's memory, oldest evicted first.",
            options: [
                .integer("max_stored_results", default: 100, range: -1...Int.max,
                         description: "Results kept; -1 keeps all."),
            ],
            isProcessLocal: true
        ) { options in
            InMemoryResultBackend(maxStoredResults: try options.int("max_stored_results"))
        }
        registry.register(
            resultBackend: "redis",
            summary: "Stores results in Redis as taskiq-redis's RedisAsyncResultBackend does with JSONSerializer; Swift waiters are woken by pub/sub.",
            options: [
                redisURLOption,
                .string("prefix_str", default: nil,
                        description: "Stores results under <prefix_str>:<task_id>; null stores them under the task ID."),
                .integer("result_ex_time", default: nil, range: 1...Int.max,
                         description: "Seconds results and progress are kept; null keeps them. Exclusive with result_px_time."),
                .integer("result_px_time", default: nil, range: 1...Int.max,
                         description: "Milliseconds results and progress are kept; null keeps them. Exclusive with result_ex_time."),
                .boolean("keep_results", default: true,
                         description: "Keep a result after it is read; false deletes it on the first read (GETDEL)."),
            ] + redisReplyLimitOptions,
            check: { options throws(ConfigError) in
                if try options.optionalInt("result_ex_time") != nil, try options.optionalInt("result_px_time") != nil {
                    throw ConfigError(.impossibleSettings, file: "", path: "result_px_time",
                                      "result_ex_time and result_px_time are both set; expected at most one of them")
                }
            }
        ) { options in
            let seconds = try options.optionalInt("result_ex_time")
            let milliseconds = try options.optionalInt("result_px_time")
            var configuration = try RedisConfiguration(url: try options.string("url"))
            configuration.apply(try redisReplyLimits(options))
            return try RedisResultBackend(configuration: configuration, prefix: try options.optionalString("prefix_str"),
                                          expiry: seconds.map { .seconds($0) } ?? milliseconds.map { .milliseconds($0) },
                                          keepResults: try options.bool("keep_results"))
        }
        registry.register(resultBackend: "dummy", summary: "Stores nothing; every result reads as null.") { _ in
            DummyResultBackend()
        }

        registry.register(
            middleware: "simple_retry",
            summary: "Re-sends failed tasks whose retry_on_error label is true, as taskiq's SimpleRetryMiddleware.",
            options: [
                .integer("default_retry_count", default: 3, range: 1...1000,
                         description: "Total attempts when a message has no max_retries label."),
                .boolean("default_retry_label", default: false,
                         description: "Retry tasks that have no retry_on_error label."),
                .boolean("no_result_on_retry", default: true,
                         description: "Store no result for attempts that will be retried."),
            ]
        ) { options in
            SimpleRetryMiddleware(defaultRetryCount: try options.int("default_retry_count"),
                                  defaultRetryLabel: try options.bool("default_retry_label"),
                                  noResultOnRetry: try options.bool("no_result_on_retry"))
        }

        registry.register(
            middleware: "smart_retry",
            summary: "Re-sends failed tasks after a delay (honoured by the in-memory and Redis brokers), as taskiq's SmartRetryMiddleware but without compounding delays.",
            options: [
                .integer("default_retry_count", default: 3, range: 1...1000,
                         description: "Total attempts when a message has no max_retries label."),
                .boolean("default_retry_label", default: false,
                         description: "Retry tasks that have no retry_on_error label."),
                .boolean("no_result_on_retry", default: true,
                         description: "Store no result for attempts that will be retried."),
                .number("default_delay", default: 5, range: 0...86_400,
                        description: "Seconds before a retry (a task's retry_delay label overrides it)."),
                .boolean("use_jitter", default: false, description: "Add up to one second of random delay."),
                .boolean("use_delay_exponent", default: false, description: "Double the delay with each retry."),
                .number("max_delay_exponent", default: 60, range: 0...86_400,
                        description: "Largest delay in seconds when doubling."),
            ]
        ) { options in
            SmartRetryMiddleware(defaultRetryCount: try options.int("default_retry_count"),
                                 defaultRetryLabel: try options.bool("default_retry_label"),
                                 noResultOnRetry: try options.bool("no_result_on_retry"),
                                 defaultDelay: try options.double("default_delay"),
                                 useJitter: try options.bool("use_jitter"),
                                 useDelayExponent: try options.bool("use_delay_exponent"),
                                 maxDelayExponent: try options.double("max_delay_exponent"))
        }

        registry.register(
            deadLetterQueue: "redis",
            summary: "Keeps dead letters in a Redis stream (one entry per letter), readable by every worker and by `taskiq-run dead-letters`.",
            options: [
                redisURLOption,
                .string("stream", default: "taskiq:dead", description: "The stream key."),
                .integer("maxlen", default: nil, range: 1...Int.max,
                         description: "Cap the stream at about this many letters (XADD MAXLEN ~), oldest dropped; null keeps all."),
            ]
        ) { options in
            try RedisStreamDeadLetterQueue(url: try options.string("url"), stream: try options.string("stream"),
                                           maxlen: try options.optionalInt("maxlen"))
        }
        registry.register(
            deadLetterQueue: "file",
            summary: "Appends dead letters to a JSON-lines file (one letter per line, flushed before the message is acknowledged); workers on one machine can share it.",
            options: [
                .string("path", default: nil, required: true,
                        description: "The file, relative to the working directory; its directory must exist."),
            ],
            check: { options throws(ConfigError) in
                let path = try options.optionalString("path") ?? ""
                if path.isEmpty {
                    throw ConfigError(.outOfRange, file: "", path: "path", "found an empty path; expected a file such as \"dead-letters.jsonl\"")
                }
                if let problem = WritableFileCheck.problem(with: path) {
                    throw ConfigError(.unwritableFile, file: "", path: "path",
                                      "\(problem); expected a file this process can append to, in an existing directory")
                }
            }
        ) { options in
            FileDeadLetterQueue(path: try options.string("path"))
        }
        registry.register(
            deadLetterQueue: "inmemory",
            summary: "Keeps dead letters in this process's memory (lost on exit; other processes cannot list them).",
            options: [
                .integer("max_entries", default: nil, range: 1...Int.max, description: "Letters kept, oldest dropped first; null keeps all."),
            ],
            isProcessLocal: true
        ) { options in
            InMemoryDeadLetterQueue(maxEntries: try options.optionalInt("max_entries"))
        }

        registry.register(taskIDGenerator: "uuid4", summary: "Random UUIDs as 32 hex digits (taskiq's default).") { _ in .uuid4 }
        registry.register(taskIDGenerator: "uuid7", summary: "Time-ordered UUIDv7 as 32 hex digits.") { _ in .uuid7 }
        registry.register(taskIDGenerator: "uuid4_dashed", summary: "Random UUIDs with dashes (36 characters).") { _ in .uuid4Dashed }

        registry.register(
            schedulerLease: "local",
            summary: "Always granted: for a single scheduler process (run only one).",
            isProcessLocal: true
        ) { _ in LocalSchedulerLease() }
        registry.register(
            schedulerStateStore: "inmemory",
            summary: "Records sent slots in this process's memory: a restarted scheduler may send a slot again.",
            isProcessLocal: true
        ) { _ in InMemorySchedulerStateStore() }
        registry.register(
            schedulerLease: "redis",
            summary: "A lease key in Redis (SET NX PX, renewed by its holder): one of several scheduler processes sends, the others stand by and take over when it expires.",
            options: [
                redisURLOption,
                .string("key", default: RedisSchedulerLease.defaultKey,
                        description: "The lease key, the same for every scheduler that shares the schedules."),
                .number("ttl", default: 30, range: 0.1...86_400,
                        description: "Seconds the lease lives without renewal: how long sending pauses when its holder crashes."),
                .number("renew_interval", default: 10, range: 0.05...86_400,
                        description: "Seconds between renewals by the holder and tries by the others; shorter than ttl."),
            ],
            check: { options throws(ConfigError) in
                let ttl = try options.double("ttl"), renew = try options.double("renew_interval")
                guard renew < ttl else {
                    throw ConfigError(.impossibleSettings, file: "", path: "renew_interval",
                                      "renew_interval (\(renew) s) must be shorter than ttl (\(ttl) s), or the holder loses the lease between renewals")
                }
            }
        ) { options in
            try RedisSchedulerLease(url: try options.string("url"), key: try options.string("key"),
                                    ttl: .milliseconds(Int((try options.double("ttl") * 1000).rounded())),
                                    renewInterval: .milliseconds(Int((try options.double("renew_interval") * 1000).rounded())))
        }
        registry.register(
            schedulerStateStore: "redis",
            summary: "Records each schedule's last sent slot in Redis, claimed atomically: shared by every scheduler process and kept across restarts.",
            options: [
                redisURLOption,
                .string("prefix", default: RedisSchedulerStateStore.defaultPrefix,
                        description: "Key prefix: a schedule's last slot is <prefix>:<schedule_id>."),
            ]
        ) { options in
            try RedisSchedulerStateStore(url: try options.string("url"), prefix: try options.string("prefix"))
        }
        return registry
    }
}

/// The `url` option of every Redis component, checked by the Redis URL parser when the config is loaded.
private let redisURLOption = ComponentOption.address("url", .redisURL, default: "redis://127.0.0.1:6379",
                                                      description: "redis://[user:password@]host:port/db")

/// How often the Redis brokers look for due delayed messages (the `delay` label).
private let delayPollIntervalOption = ComponentOption.number(
    "delay_poll_interval", default: 1, range: 0.01...3600,
    description: "Seconds a worker waits at most before looking for due delayed messages (the delay label).")

private func delayPollInterval(_ options: ComponentOptions) throws -> Duration {
    .milliseconds(Int((try options.double("delay_poll_interval") * 1000).rounded()))
}

/// Caps on Redis replies, options of every Redis component.
private let redisReplyLimitOptions: [ComponentOption] = [
    .integer("max_bulk_length", default: RedisReplyLimits().maxBulkLength, range: 1024...(512 << 20),
             description: "Longest bulk string Redis may send back, in bytes; a longer reply closes the connection (logged, counted)."),
    .integer("max_aggregate_count", default: RedisReplyLimits().maxAggregateCount, range: 16...(1 << 30),
             description: "Most elements one array or map in a Redis reply may declare; more closes the connection (logged, counted)."),
]

private func redisReplyLimits(_ options: ComponentOptions) throws -> RedisReplyLimits {
    RedisReplyLimits(maxBulkLength: try options.int("max_bulk_length"), maxAggregateCount: try options.int("max_aggregate_count"))
}
