import Taskiq
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig
@testable import TaskiqRedis

/// The `redis_stream` and `redis_list` broker types as the config sees them.
@Suite struct RedisBrokerConfigTests {
    static func system(_ broker: String, environment: [String: String] = [:]) throws -> TaskiqSystem {
        let directory = try TemporaryConfigDirectory(files: ["taskiq.json": #"{"broker": \#(broker), "tasks": {"modules": ["examples"]}}"#])
        return try TaskiqSystem.load(directory.path("taskiq.json"), modules: Fixtures.modules, environment: environment)
    }

    static func error(_ broker: String) -> ConfigError? {
        do {
            _ = try system(broker)
            return nil
        } catch {
            return error as? ConfigError
        }
    }

    @Test func theRedisExampleUsesTheStreamBrokerAndInterpolatesTheURL() throws {
        let system = try TaskiqSystem.load(
            TestPaths.example("taskiq.redis.json"), modules: Fixtures.modules,
            environment: ["REDIS_URL": "redis://:pw@10.1.2.3:6380/2"])
        let broker = try #require(system.broker(named: "default") as? RedisStreamBroker)
        #expect(broker.url == "redis://:pw@10.1.2.3:6380/2")
        #expect(broker.options.queueName == "taskiq")
        #expect(broker.options.leaseTTL == .seconds(15))
        #expect(!system.isProcessLocal(broker: "default"), "redis brokers work across processes")
        #expect(system.configuration.scheduler.lease?.json["url"] == "redis://:pw@10.1.2.3:6380/2")
        #expect(system.configuration.scheduler.stateStore?.type.name == "redis")
        #expect(system.scheduleSource is RedisScheduleSource, "dynamic schedules are stored next to the results")
        let fallback = try TaskiqSystem.load(TestPaths.example("taskiq.redis.json"), modules: Fixtures.modules, environment: [:])
        #expect((fallback.broker(named: "default") as? RedisStreamBroker)?.url == "redis://127.0.0.1:6379")
    }

    @Test func theSentinelExampleFindsTheMasterThroughTheSentinelsAndWaitsForAReplica() throws {
        let system = try TaskiqSystem.load(
            TestPaths.example("taskiq.redis-sentinel.json"), modules: Fixtures.modules,
            environment: ["REDIS_SENTINEL_URL": "redis+sentinel://:pw@10.0.0.1,10.0.0.2:26380/cache?sentinel_password=sp"])
        let broker = try #require(system.broker(named: "default") as? RedisStreamBroker)
        let sentinel = try #require(broker.client.configuration.sentinel)
        #expect(sentinel.masterName == "cache")
        #expect(sentinel.addresses.map(\.description) == ["10.0.0.1:26379", "10.0.0.2:26380"])
        #expect(sentinel.password == "sp" && broker.client.configuration.password == "pw")
        #expect(broker.options.replicasToAcknowledge == 1 && broker.options.replicaAcknowledgeTimeout == .seconds(1))
        #expect(broker.options.leaseTTL == .seconds(15), "the rest comes from taskiq.redis.json")
        #expect(system.configuration.scheduler.lease?.json["url"]?.stringValue?.hasPrefix("redis+sentinel://") == true)
        let fallback = try TaskiqSystem.load(TestPaths.example("taskiq.redis-sentinel.json"), modules: Fixtures.modules, environment: [:])
        let fallbackBroker = try #require(fallback.broker(named: "default") as? RedisStreamBroker)
        #expect(fallbackBroker.client.configuration.sentinel?.addresses.count == 3)
    }

    @Test func theClusterExampleRoutesEveryComponentThroughTheSeeds() throws {
        let system = try TaskiqSystem.load(
            TestPaths.example("taskiq.redis-cluster.json"), modules: Fixtures.modules,
            environment: ["REDIS_CLUSTER_URL": "redis+cluster://:pw@10.0.0.1:7000,10.0.0.2:7001"])
        let broker = try #require(system.broker(named: "default") as? RedisStreamBroker)
        #expect(broker.client.configuration.clusterNodes?.map(\.description) == ["10.0.0.1:7000", "10.0.0.2:7001"])
        #expect(broker.client.router != nil, "commands are routed by slot")
        #expect(broker.options.queueName == "taskiq", "the stream keeps taskiq-redis's name")
        #expect(system.scheduleSource is RedisScheduleSource)
        let fallback = try TaskiqSystem.load(TestPaths.example("taskiq.redis-cluster.json"), modules: Fixtures.modules, environment: [:])
        #expect((fallback.broker(named: "default") as? RedisStreamBroker)?.client.configuration.clusterNodes?.count == 3)
    }

    @Test func streamOptionsKeepTaskiqRedisNames() throws {
        let system = try Self.system(
            """
            {"type": "redis_stream", "url": "redis://127.0.0.1:1/3", "queue_name": "q", "consumer_group_name": "g",
             "consumer_name": "c", "xread_block": 100, "xread_count": 7, "idle_timeout": 5000, "maxlen": 1000,
             "lease_ttl": 2, "lease_renew_interval": 0.5, "max_deliveries": 3, "dead_letter_stream": "dlq"}
            """)
        let broker = try #require(system.broker(named: "default") as? RedisStreamBroker)
        let options = broker.options
        #expect(options.queueName == "q" && options.consumerGroupName == "g" && broker.consumerName == "c")
        #expect(options.xreadBlock == .milliseconds(100) && options.xreadCount == 7 && options.idleTimeout == .seconds(5))
        #expect(options.maxlen == 1000 && options.maxDeliveries == 3 && options.resolvedDeadLetterStream == "dlq")
        #expect(options.leaseTTL == .seconds(2) && options.leaseRenewInterval == .milliseconds(500))
        #expect(options.replicasToAcknowledge == 0, "kicks do not wait for replicas unless asked")
        let waiting = try Self.system(#"{"type": "redis_stream", "wait_for_replicas": 2, "wait_for_replicas_timeout": 250}"#)
        let waitingOptions = try #require(waiting.broker(named: "default") as? RedisStreamBroker).options
        #expect(waitingOptions.replicasToAcknowledge == 2 && waitingOptions.replicaAcknowledgeTimeout == .milliseconds(250))
        let list = try Self.system(#"{"type": "redis_list", "queue_name": "jobs", "block_timeout": 1.5}"#)
        let listBroker = try #require(list.broker(named: "default") as? RedisListBroker)
        #expect(listBroker.queueName == "jobs" && listBroker.blockTimeout == .milliseconds(1500))
    }

    @Test(arguments: [
        (#"{"type": "redis_stream", "xread_count": 0}"#, "xread_count", "0"),
        (#"{"type": "redis_stream", "max_deliveries": 0}"#, "max_deliveries", "0"),
        (#"{"type": "redis_stream", "wait_for_replicas": -1}"#, "wait_for_replicas", "-1"),
        (#"{"type": "redis_stream", "wait_for_replicas_timeout": 0}"#, "wait_for_replicas_timeout", "0"),
        (#"{"type": "redis_stream", "url": "redis+sentinel://127.0.0.1:26379"}"#, "url", "no master name"),
        (#"{"type": "redis_stream", "url": "redis+cluster://127.0.0.1:7000/2"}"#, "url", "a cluster has only database 0"),
        (#"{"type": "redis_stream", "url": "http://x"}"#, "url", "scheme 'http' is not redis"),
        (#"{"type": "redis_stream", "lease_ttl": 1, "lease_renew_interval": 2}"#, "lease_renew_interval", "shorter than lease_ttl"),
        (#"{"type": "redis_list", "url": "redis://h:notaport"}"#, "url", "port"),
        (#"{"type": "redis_stream", "queue": "typo"}"#, "queue", "queue_name"),
    ])
    func badOptionsNameThePathAndTheReason(_ broker: String, _ path: String, _ reason: String) throws {
        let error = try #require(Self.error(broker))
        #expect(error.path == "broker.\(path)", "\(error)")
        #expect(error.message.contains(reason), "\(error)")
    }

    /// A server that refuses the broker's start (here `WRONGTYPE`: the stream's key holds a
    /// string; on a full disk, `MISCONF`) is reported with the broker it stopped, not as the bare
    /// "Redis refused XGROUP" that named neither.
    @Test(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage))
    func aRefusedStartNamesTheBroker() async throws {
        try await RedisServer.with { server in
            _ = try await RedisClusterGroup.command(["SET", "jobs", "not a stream"], port: server.port)
            let system = try Self.system(#"{"type": "redis_stream", "url": "\#(server.url)", "queue_name": "jobs"}"#)
            let error = await #expect(throws: TaskiqError.self) { try await system.startup() }
            #expect(error?.code == .startupFailed)
            #expect(error?.message == "cannot start broker 'default' (redis_stream)", "\(String(describing: error))")
            #expect((error?.underlying as? RedisError)?.code == "WRONGTYPE", "\(String(describing: error))")
            #expect(
                "\(String(describing: error))".contains("cannot start broker 'default' (redis_stream): Redis refused XGROUP: WRONGTYPE"))
        }
    }

    /// Cancelling a start (a worker stopped before its server answered: this one never does)
    /// stays a cancellation: it is not reported as a broker that failed to start.
    @Test func aCancelledStartStaysACancellation() async throws {
        let silent = try FakeServer(reply: [])  // accepts and reads, never answers
        defer { silent.close() }
        let system = try Self.system(#"{"type": "redis_stream", "url": "redis://127.0.0.1:\#(silent.port)"}"#)
        let start = Task { try await system.startup() }
        start.cancel()
        await #expect(throws: CancellationError.self) { try await start.value }
    }
}
