import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqConfig
@testable import TaskiqRedis
@testable import TaskiqZeroMQ

/// Each option's default is written once, in Swift (an options struct such as
/// ``RedisStreamBrokerOptions``, or a `Defaults` constant the initialiser's default argument
/// reads too), and the config declaration reads it from there. These tests build each component
/// from its declared defaults and compare it with the Swift default instance, so a declaration
/// that reads the wrong constant, or a factory that drops an option, does not go unnoticed.
@Suite struct ComponentDefaultsTests {
    /// Builds a standard component from its declared defaults, as a file that names only its type.
    static func makeWithDefaults(_ kind: ComponentKind, _ name: String) throws -> Component {
        let type = try #require(ComponentRegistry.standard.type(kind, named: name))
        var values = JSONObject()
        for option in type.options { values[option.name] = option.defaultValue }
        return try type.make(ComponentOptions(type: name, values: values))
    }

    static let redisURL = ComponentRegistry.RedisConnectionKeys().url.defaultValue ?? ""

    @Test func inMemoryComponents() throws {
        guard case .broker(let broker) = try Self.makeWithDefaults(.broker, "inmemory"),
            let inMemory = broker as? InMemoryBroker
        else {
            Issue.record("not an in-memory broker")
            return
        }
        #expect(inMemory.awaitInplace == InMemoryBroker().awaitInplace)
        guard case .resultBackend(let backend) = try Self.makeWithDefaults(.resultBackend, "inmemory") else { return }
        #expect((backend as? InMemoryResultBackend)?.maxStoredResults == InMemoryResultBackend().maxStoredResults)
        guard case .deadLetterQueue(let queue) = try Self.makeWithDefaults(.deadLetterQueue, "inmemory") else { return }
        #expect((queue as? InMemoryDeadLetterQueue)?.maxEntries == InMemoryDeadLetterQueue().maxEntries)
    }

    @Test func zeroMQBroker() throws {
        guard case .broker(let broker) = try Self.makeWithDefaults(.broker, "zeromq"),
            let built = broker as? ZeroMQBroker
        else {
            Issue.record("not a ZeroMQ broker")
            return
        }
        let swift = ZeroMQBroker()
        #expect(built.zmqPubHost == swift.zmqPubHost)
        #expect(built.zmqSubHost == swift.zmqSubHost)
        #expect(built.pattern == swift.pattern)
        #expect(built.subscriberTimeout == swift.subscriberTimeout)
        #expect(built.sendTimeout == swift.sendTimeout)
        #expect(built.maxMessageSize == swift.maxMessageSize)
        #expect(built.maxFrameSize == swift.maxFrameSize)
        #expect(built.maxConnections == swift.maxConnections)
    }

    @Test func redisComponents() throws {
        guard case .broker(let list) = try Self.makeWithDefaults(.broker, "redis_list"),
            let built = list as? RedisListBroker
        else {
            Issue.record("not a Redis list broker")
            return
        }
        let swift = try RedisListBroker(url: Self.redisURL)
        #expect(built.url == swift.url)
        #expect(built.queueName == swift.queueName)
        #expect(built.blockTimeout == swift.blockTimeout)
        #expect(built.delayPollInterval == swift.delayPollInterval)

        guard case .broker(let stream) = try Self.makeWithDefaults(.broker, "redis_stream"),
            let streamBroker = stream as? RedisStreamBroker
        else {
            Issue.record("not a Redis stream broker")
            return
        }
        let defaults = RedisStreamBrokerOptions()
        #expect(streamBroker.options.queueName == defaults.queueName)
        #expect(streamBroker.options.xreadBlock == defaults.xreadBlock)
        #expect(streamBroker.options.idleTimeout == defaults.idleTimeout)
        #expect(streamBroker.options.leaseTTL == defaults.leaseTTL)
        #expect(streamBroker.options.leaseRenewInterval == defaults.leaseRenewInterval)
        #expect(streamBroker.options.delayPollInterval == defaults.delayPollInterval)

        guard case .resultBackend(let backend) = try Self.makeWithDefaults(.resultBackend, "redis"),
            let results = backend as? RedisResultBackend
        else {
            Issue.record("not a Redis result backend")
            return
        }
        let swiftResults = try RedisResultBackend(url: Self.redisURL)
        #expect(results.keepResults == swiftResults.keepResults)
        #expect(results.prefix == swiftResults.prefix)
        #expect(results.expiry == nil && swiftResults.expiry == nil)

        guard case .schedulerLease(let lease) = try Self.makeWithDefaults(.schedulerLease, "redis"),
            let redisLease = lease as? RedisSchedulerLease
        else {
            Issue.record("not a Redis lease")
            return
        }
        let swiftLease = try RedisSchedulerLease()
        #expect(redisLease.key == swiftLease.key)
        #expect(redisLease.ttl == swiftLease.ttl)
        #expect(redisLease.renewInterval == swiftLease.renewInterval)

        guard case .schedulerStateStore(let store) = try Self.makeWithDefaults(.schedulerStateStore, "redis") else { return }
        #expect((store as? RedisSchedulerStateStore)?.prefix == (try RedisSchedulerStateStore()).prefix)
    }

    @Test func retryMiddlewares() throws {
        guard case .middleware(let simple) = try Self.makeWithDefaults(.middleware, "simple_retry"),
            let built = simple as? SimpleRetryMiddleware
        else {
            Issue.record("not SimpleRetryMiddleware")
            return
        }
        let swift = SimpleRetryMiddleware()
        #expect(built.defaultRetryCount == swift.defaultRetryCount)
        #expect(built.defaultRetryLabel == swift.defaultRetryLabel)
        #expect(built.noResultOnRetry == swift.noResultOnRetry)
        // smart_retry shares the first three options with simple_retry, so their Swift defaults must agree too.
        guard case .middleware(let smart) = try Self.makeWithDefaults(.middleware, "smart_retry"),
            let builtSmart = smart as? SmartRetryMiddleware
        else {
            Issue.record("not SmartRetryMiddleware")
            return
        }
        let swiftSmart = SmartRetryMiddleware()
        #expect(builtSmart.defaultRetryCount == swiftSmart.defaultRetryCount)
        #expect(builtSmart.defaultRetryLabel == swiftSmart.defaultRetryLabel)
        #expect(builtSmart.noResultOnRetry == swiftSmart.noResultOnRetry)
        #expect(builtSmart.defaultDelay == swiftSmart.defaultDelay)
        #expect(builtSmart.maxDelayExponent == swiftSmart.maxDelayExponent)
    }

    @Test func workerAndSchedulerSections() throws {
        let directory = try TemporaryConfigDirectory(files: ["taskiq.json": #"{"broker": {"type": "inmemory"}}"#])
        let configuration = try TaskiqConfiguration.load(
            directory.path("taskiq.json"), modules: Fixtures.modules,
            environment: [:])
        #expect(configuration.worker == WorkerSettings())
        #expect(configuration.scheduler.catchUp == SchedulerSettings().catchUp)
        #expect(configuration.scheduler.refreshInterval == SchedulerSettings().refreshInterval)
        // The receiver a worker runs gets the same defaults as one made in code.
        let receiver = ReceiverOptions()
        #expect(configuration.worker.castTypes == receiver.castTypes)
        #expect(configuration.worker.syncTasksPoolSize == receiver.syncTasksPoolSize)
        #expect(configuration.worker.logsFormat == receiver.logsFormat)
        #expect(configuration.worker.maxAsyncTasks == receiver.maxAsyncTasks)
    }

    @Test func aTypedKeyWritesBackWhatItReads() throws {
        typealias Keys = WorkerSettings.Keys
        let options = ComponentOptions(
            type: "worker",
            values: [
                Keys.shutdownTimeout.name: Keys.shutdownTimeout.json(.milliseconds(2500)),
                Keys.waitTasksTimeout.name: Keys.waitTasksTimeout.json(nil),
                Keys.ackType.name: Keys.ackType.json(.whenExecuted),
            ])
        #expect(try options[Keys.shutdownTimeout] == .milliseconds(2500))
        #expect(try options[Keys.waitTasksTimeout] == nil)
        #expect(try options[Keys.ackType] == .whenExecuted)
        #expect(Keys.shutdownTimeout.json(.milliseconds(2500)) == 2.5)
        // Reading a key the component did not declare is a programming error with a clear message.
        #expect(throws: ConfigError.self) { try options[Keys.workers] }
    }
}
