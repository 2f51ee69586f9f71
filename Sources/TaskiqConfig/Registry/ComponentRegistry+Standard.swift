import Taskiq
import TaskiqRedis
import TaskiqZeroMQ

extension ComponentRegistry {
    /// The built-in types: the `inmemory`, `zeromq`, `redis_stream`, `redis_list`, `rabbitmq`, `nats` and `nats_jetstream` brokers; the
    /// `inmemory`, `redis` and `dummy` result backends; the `simple_retry`, `smart_retry`, `pipelines` and `opentelemetry` middlewares;
    /// the `uuid4`, `uuid7` and `uuid4_dashed` task-ID generators; the `local` and `redis` scheduler
    /// leases and the `inmemory` and `redis` scheduler state stores;
    /// the `redis`, `file` and `inmemory` dead-letter queues.
    ///
    /// Built once; each backend registers its types from its own file (`ComponentRegistry+Redis.swift`, ...).
    public static let standard: ComponentRegistry = {
        var registry = ComponentRegistry()
        registry.registerInMemoryTypes()
        registry.registerZeroMQTypes()
        registry.registerRedisTypes()
        registry.registerRabbitMQTypes()
        registry.registerNATSTypes()
        registry.registerFileTypes()
        registry.registerMiddlewareTypes()
        registry.registerPipelineTypes()
        registry.registerTracingTypes()
        registry.registerDashboardTypes()
        registry.registerTaskIDGeneratorTypes()
        return registry
    }()
}
