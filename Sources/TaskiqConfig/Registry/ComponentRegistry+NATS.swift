import Taskiq
import TaskiqNATS

extension ComponentRegistry {
    /// The options both NATS brokers share.
    private static let natsURLDescription =
        "nats://[user:password@|token@]host:port, several as nats://a:4222,b:4222, or tls://… for TLS (query options name, connect_timeout, ping_interval, max_pings_out; with tls also ca_file, cert_file, key_file, server_name, insecure_skip_verify); write secrets as ${NATS_PASSWORD}. Masked in check and logs."

    /// The options of the `nats` broker (core NATS); names follow taskiq-nats' `NatsBroker`.
    struct NATSBrokerKeys: OptionGroup {
        private static let defaults = NATSBrokerOptions()

        let url = Option<String>.address(
            "url", .natsURL, default: "nats://localhost:4222", description: ComponentRegistry.natsURLDescription)
        let subject = Option<String>.string("subject", default: Self.defaults.subject, description: "The subject tasks are published to.")
        let queue = Option<String>.string(
            "queue", default: Self.defaults.queueGroup ?? "",
            description:
                "The queue group workers join so each task runs once; \"\" for none, taskiq-nats' default, where every worker runs every task."
        )
        let publishTimeout = Option<Duration>.seconds(
            "publish_timeout", default: Self.defaults.publishTimeout, range: 0.1...86_400,
            description: "Seconds a kick waits for a connection while the client reconnects.")

        /// The broker options a component's settings describe.
        func brokerOptions(_ options: ComponentOptions) throws -> NATSBrokerOptions {
            var result = NATSBrokerOptions()
            result.subject = try options[subject]
            let group = try options[queue]
            result.queueGroup = group.isEmpty ? nil : group
            result.publishTimeout = try options[publishTimeout]
            return result
        }
    }

    /// The options of the `nats_jetstream` broker; names follow taskiq-nats' `PullBasedJetStreamBroker`.
    struct NATSJetStreamBrokerKeys: OptionGroup {
        private static let defaults = NATSJetStreamBrokerOptions()

        let url = Option<String>.address(
            "url", .natsURL, default: "nats://localhost:4222", description: ComponentRegistry.natsURLDescription)
        let subject = Option<String>.string("subject", default: Self.defaults.subject, description: "The subject tasks are published to.")
        let streamName = Option<String>.string(
            "stream_name", default: Self.defaults.streamName, description: "The JetStream stream that stores tasks.")
        let durable = Option<String>.string(
            "durable", default: Self.defaults.durable, description: "The durable pull consumer workers share.")
        let retention = Option<NATSRetention>.choice(
            "retention", default: Self.defaults.retention,
            description:
                "limits (taskiq-nats' default: acknowledged tasks stay in the stream) or workqueue (each task is removed once acknowledged)."
        )
        let replicas = Option<Int>.integer(
            "replicas", default: Self.defaults.replicas, range: 1...5, description: "Copies of the stream in a cluster.")
        let memoryStorage = Option<Bool>.boolean(
            "memory_storage", default: Self.defaults.memoryStorage,
            description: "Keep the stream in memory rather than in files (lost when the server stops).")
        let ackWait = Option<Duration>.seconds(
            "ack_wait", default: Self.defaults.ackWait, range: 1...86_400,
            description:
                "Seconds the server waits for an ack before delivering again; running tasks are kept alive with +WPI every third of it.")
        let maxDeliveries = Option<Int>.integer(
            "max_deliveries", default: Self.defaults.maxDeliveries ?? 5, range: 1...1_000_000,
            description: "Deliveries after which a message is dead-lettered and terminated (+TERM) instead of running again.")
        let batch = Option<Int>.integer(
            "batch", default: Self.defaults.batch, range: 1...100_000,
            description: "The most messages a worker has requested or holds unacknowledged at once (pull batch).")
        let pullExpires = Option<Duration>.seconds(
            "pull_expires", default: Self.defaults.pullExpires, range: 1...3600,
            description:
                "Seconds one pull request waits on the server; a stopped worker's requests live this long (NATS 2.9 cannot cancel them) and what they bring is given back just after."
        )
        let publishTimeout = Option<Duration>.seconds(
            "publish_timeout", default: Self.defaults.publishTimeout, range: 0.1...86_400,
            description:
                "Seconds a kick keeps publishing (same Nats-Msg-Id, across reconnects and leader elections) until the stream acknowledges it."
        )
        let deduplicate = Option<Bool>.boolean(
            "deduplicate", default: Self.defaults.deduplicate,
            description:
                "Give each kick a Nats-Msg-Id, so a publish sent again after a lost acknowledgement is stored once (within the stream's 2-minute duplicate window); false spares the server that tracking (about an eighth of its CPU per task) and a kick sent again may run twice, as with taskiq-nats."
        )
        let deadLetterStream = Option<String>.string(
            "dead_letter_stream", default: Self.defaults.deadLetterStream, description: "The stream dead letters are kept in.")

        /// The broker options a component's settings describe.
        func brokerOptions(_ options: ComponentOptions) throws -> NATSJetStreamBrokerOptions {
            var result = NATSJetStreamBrokerOptions()
            result.subject = try options[subject]
            result.streamName = try options[streamName]
            result.durable = try options[durable]
            result.retention = try options[retention]
            result.replicas = try options[replicas]
            result.memoryStorage = try options[memoryStorage]
            result.ackWait = try options[ackWait]
            result.maxDeliveries = try options[maxDeliveries]
            result.batch = try options[batch]
            result.pullExpires = try options[pullExpires]
            result.publishTimeout = try options[publishTimeout]
            result.deduplicate = try options[deduplicate]
            result.deadLetterStream = try options[deadLetterStream]
            return result
        }
    }

    /// The options of the `nats` dead-letter queue.
    struct NATSDeadLetterKeys: OptionGroup {
        let url = Option<String>.address(
            "url", .natsURL, default: "nats://localhost:4222", description: ComponentRegistry.natsURLDescription)
        let stream = Option<String>.string(
            "stream", default: NATSJetStreamBrokerOptions().deadLetterStream, description: "The JetStream stream dead letters are kept in.")
        let replicas = Option<Int>.integer("replicas", default: 1, range: 1...5, description: "Copies of the stream in a cluster.")
    }

    /// The options of the `nats_kv` result backend.
    struct NATSKeyValueResultKeys: OptionGroup {
        let url = Option<String>.address(
            "url", .natsURL, default: "nats://localhost:4222", description: ComponentRegistry.natsURLDescription)
        let bucket = Option<String>.string(
            "bucket", default: "taskiq_results", description: "The JetStream key-value bucket results are kept in.")
        let ttl = Option<Duration?>.seconds(
            "ttl", range: 1...31_536_000, description: "Seconds a result lives (the bucket's max_age); null keeps results forever.")
        let keepResults = Option<Bool>.boolean(
            "keep_results", default: true, description: "Keep a result after it was read; false purges it on read.")
        let replicas = Option<Int>.integer("replicas", default: 1, range: 1...5, description: "Copies of the bucket in a cluster.")
    }

    /// Registers the `nats` and `nats_jetstream` brokers, the `nats_kv` result backend and the `nats` dead-letter queue.
    mutating func registerNATSTypes() {
        let core = NATSBrokerKeys()
        register(
            broker: "nats",
            summary: "Core NATS (at most once: nothing is stored), as taskiq-nats' NatsBroker; workers share tasks through a queue group.",
            options: core.declarations
        ) { options in
            try NATSBroker(url: try options[core.url], options: try core.brokerOptions(options))
        }

        let jetStream = NATSJetStreamBrokerKeys()
        register(
            broker: "nats_jetstream",
            summary:
                "NATS JetStream with a durable pull consumer (at least once), as taskiq-nats' PullBasedJetStreamBroker, with native delays, +WPI for running tasks and dead letters.",
            options: jetStream.declarations
        ) { options in
            try NATSJetStreamBroker(url: try options[jetStream.url], options: try jetStream.brokerOptions(options))
        }

        let results = NATSKeyValueResultKeys()
        register(
            resultBackend: "nats_kv",
            summary:
                "Stores results as JSON in a NATS JetStream key-value bucket (taskiq_results), with a TTL; waiters are woken by the put itself, so a NATS-only deployment needs no Redis.",
            options: results.declarations
        ) { options in
            try NATSKeyValueResultBackend(
                url: try options[results.url], bucket: try options[results.bucket], ttl: try options[results.ttl],
                keepResults: try options[results.keepResults], replicas: try options[results.replicas])
        }

        let letters = NATSDeadLetterKeys()
        register(
            deadLetterQueue: "nats",
            summary:
                "Keeps dead letters in a NATS JetStream stream (taskiq_dead_letter); the nats_jetstream broker uses its own without this section.",
            options: letters.declarations
        ) { options in
            try NATSDeadLetterQueue(
                url: try options[letters.url], stream: try options[letters.stream], replicas: try options[letters.replicas])
        }
    }
}
