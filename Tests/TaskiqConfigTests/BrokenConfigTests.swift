import TaskiqTestSupport
import Testing

@testable import TaskiqConfig

/// One broken configuration and the error it must produce.
struct BrokenConfig: CustomTestStringConvertible, Sendable {
    var name: String
    var files: [String: String]
    var environment: [String: String] = [:]
    var code: ConfigError.Code
    var file = "taskiq.json"
    var path: String
    var reasons: [String]

    var testDescription: String { name }

    init(
        _ name: String, _ json: String, code: ConfigError.Code, path: String, _ reasons: String...,
        environment: [String: String] = [:], extraFiles: [String: String] = [:], file: String = "taskiq.json"
    ) {
        self.name = name
        self.files = extraFiles.merging(["taskiq.json": json]) { _, main in main }
        self.environment = environment
        self.code = code
        self.file = file
        self.path = path
        self.reasons = reasons
    }
}

private let broker = #""broker": {"type": "inmemory"}"#

let brokenConfigs: [BrokenConfig] = [
    BrokenConfig(
        "trailing comma", #"{"broker": {"type": "inmemory",}}"#,
        code: .invalidJSON, path: "", "invalid JSON", "line 1, column 32", "found '}'"),
    BrokenConfig(
        "bare word on line 3", "{\n  \(broker),\n  \"worker\": nope\n}",
        code: .invalidJSON, path: "", "line 3, column 14"),
    BrokenConfig("array at top level", "[]", code: .wrongType, path: "", "expected a JSON object", "found array"),
    BrokenConfig(
        "misspelt top-level key", #"{"brokr": {"type": "inmemory"}}"#,
        code: .unknownKey, path: "brokr", "unknown key 'brokr'", "did you mean 'broker'?"),
    BrokenConfig("no broker", "{}", code: .missingKey, path: "broker", "missing", "inmemory"),
    BrokenConfig(
        "broker is a number", #"{"broker": 5}"#,
        code: .wrongType, path: "broker", "expected an object with a \"type\" key", "found integer 5"),
    BrokenConfig(
        "broker without type", #"{"broker": {}}"#,
        code: .missingKey, path: "broker.type", "missing \"type\"", "inmemory"),
    BrokenConfig(
        "broker type is a number", #"{"broker": {"type": 1}}"#,
        code: .wrongType, path: "broker.type", "found integer 1"),
    BrokenConfig(
        "unknown broker type", #"{"broker": {"type": "kafka"}}"#,
        code: .unknownComponentType, path: "broker.type", "unknown broker type 'kafka'",
        "known broker types: inmemory", "rabbitmq"),
    BrokenConfig(
        "RabbitMQ URL of another scheme", #"{"broker": {"type": "rabbitmq", "url": "http://guest:pw@mq:5672"}}"#,
        code: .invalidAddress, path: "broker.url", "scheme 'http' is not amqp", "guest:***@mq"),
    BrokenConfig(
        "RabbitMQ queues as one object", #"{"broker": {"type": "rabbitmq", "queues": {"name": "q"}}}"#,
        code: .wrongType, path: "broker.queues", "expected a list of objects with keys name, type, max_priority, routing_key",
        "found an object"),
    BrokenConfig(
        "RabbitMQ queue as a bare name", #"{"broker": {"type": "rabbitmq", "queues": [{"name": "a"}, "b"]}}"#,
        code: .wrongType, path: "broker.queues[1]", "expected an object with keys name", #"found string "b""#),
    BrokenConfig(
        "RabbitMQ queue without a name", #"{"broker": {"type": "rabbitmq", "queues": [{"type": "classic"}]}}"#,
        code: .missingKey, path: "broker.queues[0].name", "missing", "a string"),
    BrokenConfig(
        "misspelt RabbitMQ queue key", #"{"broker": {"type": "rabbitmq", "queues": [{"name": "a"}, {"name": "b", "max_prio": 5}]}}"#,
        code: .unknownKey, path: "broker.queues[1].max_prio", "did you mean 'max_priority'?"),
    BrokenConfig(
        "RabbitMQ queue of an unknown type", #"{"broker": {"type": "rabbitmq", "queues": [{"name": "a", "type": "stream"}]}}"#,
        code: .outOfRange, path: "broker.queues[0].type", "one of 'quorum', 'classic'"),
    BrokenConfig(
        "RabbitMQ priority on a quorum queue", #"{"broker": {"type": "rabbitmq", "queues": [{"name": "a", "max_priority": 10}]}}"#,
        code: .impossibleSettings, path: "broker.queues[0].max_priority", "quorum queue", "\"type\": \"classic\""),
    BrokenConfig(
        "RabbitMQ priority of 300", #"{"broker": {"type": "rabbitmq", "queues": [{"name": "a", "type": "classic", "max_priority": 300}]}}"#,
        code: .outOfRange, path: "broker.queues[0].max_priority", "in 1...255", "found integer 300"),
    BrokenConfig(
        "no RabbitMQ queue", #"{"broker": {"type": "rabbitmq", "queues": []}}"#,
        code: .impossibleSettings, path: "broker.queues", "no queue"),
    BrokenConfig(
        "two RabbitMQ queues with one routing key",
        #"{"broker": {"type": "rabbitmq", "queues": [{"name": "a"}, {"name": "b", "routing_key": "a"}]}}"#,
        code: .impossibleSettings, path: "broker.queues[1].routing_key", "routing key 'a' already picks queues[0]"),
    BrokenConfig(
        "misspelt RabbitMQ delay", #"{"broker": {"type": "rabbitmq", "delay": "ttl_queue"}}"#,
        code: .outOfRange, path: "broker.delay", "did you mean 'ttl_queues'?"),
    BrokenConfig(
        "RabbitMQ qos of zero", #"{"broker": {"type": "rabbitmq", "qos": 0}}"#,
        code: .outOfRange, path: "broker.qos", "in 1...65535", "found integer 0"),
    BrokenConfig(
        "misspelt broker option", #"{"broker": {"type": "inmemory", "await_in_place": true}}"#,
        code: .unknownKey, path: "broker.await_in_place", "did you mean 'await_inplace'?"),
    BrokenConfig(
        "boolean written as yes", #"{\#(broker), "worker": {"cast_types": "yes"}}"#,
        code: .wrongType, path: "worker.cast_types", "expected a boolean", #"found string "yes""#),
    BrokenConfig(
        "empty sync pool", #"{\#(broker), "worker": {"sync_tasks_pool_size": 0}}"#,
        code: .outOfRange, path: "worker.sync_tasks_pool_size", "expected an integer in 1...1024", "found integer 0"),
    BrokenConfig(
        "worker setting left on the in-memory broker", #"{"broker": {"type": "inmemory", "cast_types": false}}"#,
        code: .movedKey, path: "broker.cast_types", "moved to worker.cast_types"),
    BrokenConfig(
        "worker setting on a Redis broker", #"{"broker": {"type": "redis_stream", "sync_tasks_pool_size": 8}}"#,
        code: .movedKey, path: "broker.sync_tasks_pool_size", "moved to worker.sync_tasks_pool_size"),
    BrokenConfig(
        "worker setting on a named ZeroMQ broker",
        #"{\#(broker), "brokers": {"fast": {"type": "zeromq", "logs_format": "%(message)s"}}}"#,
        code: .movedKey, path: "brokers.fast.logs_format", "moved to worker.logs_format"),
    BrokenConfig(
        "result limit on the in-memory broker, replaced by the result backend",
        #"{"broker": {"type": "inmemory", "max_stored_results": 100}, "result_backend": {"type": "inmemory", "max_stored_results": 1000}}"#,
        code: .movedKey, path: "broker.max_stored_results", "moved to result_backend.max_stored_results"),
    BrokenConfig(
        "unknown result backend", #"{\#(broker), "result_backend": {"type": "memcached"}}"#,
        code: .unknownComponentType, path: "result_backend.type", "unknown result backend type 'memcached'",
        "inmemory, dummy, redis"),
    BrokenConfig(
        "both Redis result expiries", #"{\#(broker), "result_backend": {"type": "redis", "result_ex_time": 10, "result_px_time": 500}}"#,
        code: .impossibleSettings, path: "result_backend.result_px_time",
        "result_ex_time and result_px_time are both set", "at most one"),
    BrokenConfig(
        "zero Redis result expiry", #"{\#(broker), "result_backend": {"type": "redis", "result_ex_time": 0}}"#,
        code: .outOfRange, path: "result_backend.result_ex_time", "expected an integer >= 1 or null", "found integer 0"),
    BrokenConfig(
        "negative Redis result expiry in ms", #"{\#(broker), "result_backend": {"type": "redis", "result_px_time": -1}}"#,
        code: .outOfRange, path: "result_backend.result_px_time", ">= 1", "found integer -1"),
    BrokenConfig(
        "Redis result expiry as text", #"{\#(broker), "result_backend": {"type": "redis", "result_px_time": "soon"}}"#,
        code: .wrongType, path: "result_backend.result_px_time", "expected an integer", #"found string "soon""#),
    BrokenConfig(
        "keep_results as a number", #"{\#(broker), "result_backend": {"type": "redis", "keep_results": 0}}"#,
        code: .wrongType, path: "result_backend.keep_results", "expected a boolean", "found integer 0"),
    BrokenConfig(
        "prefix_str as a number", #"{\#(broker), "result_backend": {"type": "redis", "prefix_str": 5}}"#,
        code: .wrongType, path: "result_backend.prefix_str", "expected a string", "found integer 5"),
    BrokenConfig(
        "Redis result URL of another scheme", #"{\#(broker), "result_backend": {"type": "redis", "url": "http://cache:6379"}}"#,
        code: .invalidAddress, path: "result_backend.url",
        "scheme 'http' is not redis, rediss, redis+sentinel, rediss+sentinel, redis+cluster or rediss+cluster", "expected redis[s]://"),
    BrokenConfig(
        "negative result limit", #"{\#(broker), "result_backend": {"type": "inmemory", "max_stored_results": -5}}"#,
        code: .outOfRange, path: "result_backend.max_stored_results", ">= -1", "found integer -5"),
    BrokenConfig(
        "middlewares is an object", #"{\#(broker), "middlewares": {"type": "simple_retry"}}"#,
        code: .wrongType, path: "middlewares", "expected an array", "found an object"),
    BrokenConfig(
        "negative retry count in the second middleware",
        #"{\#(broker), "middlewares": [{"type": "simple_retry"}, {"type": "simple_retry", "default_retry_count": -1}]}"#,
        code: .outOfRange, path: "middlewares[1].default_retry_count", "expected an integer in 1...1000",
        "found integer -1"),
    BrokenConfig(
        "unknown middleware", #"{\#(broker), "middlewares": [{"type": "simple_retyr"}]}"#,
        code: .unknownComponentType, path: "middlewares[0].type", "did you mean 'simple_retry'?",
        "known middleware types: simple_retry"),
    BrokenConfig(
        "unknown ID generator", #"{\#(broker), "task_id_generator": "uuid5"}"#,
        code: .unknownComponentType, path: "task_id_generator", "unknown task-ID generator type 'uuid5'",
        "uuid4, uuid7, uuid4_dashed"),
    BrokenConfig(
        "ID generator is a number", #"{\#(broker), "task_id_generator": 7}"#,
        code: .wrongType, path: "task_id_generator", "a type name such as \"uuid7\"", "found integer 7"),
    BrokenConfig(
        "unknown module", #"{\#(broker), "tasks": {"modules": ["exmaples"]}}"#,
        code: .unknownModule, path: "tasks.modules[0]", "unknown module 'exmaples'", "did you mean 'examples'?",
        "available modules: examples"),
    BrokenConfig(
        "pattern matching nothing", #"{\#(broker), "tasks": {"discover": "billing.*"}}"#,
        code: .noModuleMatches, path: "tasks.discover", "pattern 'billing.*' matches no module",
        "available modules: examples"),
    BrokenConfig(
        "misspelt tasks key", #"{\#(broker), "tasks": {"module": ["examples"]}}"#,
        code: .unknownKey, path: "tasks.module", "did you mean 'modules'?"),
    BrokenConfig(
        "workers is a word", #"{\#(broker), "worker": {"workers": "many"}}"#,
        code: .wrongType, path: "worker.workers", "expected an integer", #"found string "many""#),
    BrokenConfig(
        "several workers with the in-memory broker", #"{\#(broker), "worker": {"workers": 2}}"#,
        code: .impossibleSettings, path: "worker.workers", "found 2 worker processes", "'inmemory' broker",
        "only works inside one process"),
    BrokenConfig(
        "misspelt ack type", #"{\#(broker), "worker": {"ack_type": "when_save"}}"#,
        code: .outOfRange, path: "worker.ack_type", "expected one of", "did you mean 'when_saved'?"),
    BrokenConfig(
        "unknown log format", #"{\#(broker), "worker": {"log_format": "xml"}}"#,
        code: .outOfRange, path: "worker.log_format", "one of 'text', 'json'", #"found string "xml""#),
    BrokenConfig(
        "negative shutdown timeout", #"{\#(broker), "worker": {"shutdown_timeout": -1}}"#,
        code: .outOfRange, path: "worker.shutdown_timeout", "a number in 0...86400", "found integer -1"),
    BrokenConfig(
        "zero tasks per child", #"{\#(broker), "worker": {"max_tasks_per_child": 0}}"#,
        code: .outOfRange, path: "worker.max_tasks_per_child", ">= 1 or null"),
    BrokenConfig(
        "misspelt worker key", #"{\#(broker), "worker": {"wrokers": 1}}"#,
        code: .unknownKey, path: "worker.wrokers", "did you mean 'workers'?"),
    BrokenConfig(
        "limits is a number", #"{\#(broker), "worker": {"limits": 5}}"#,
        code: .wrongType, path: "worker.limits", "expected an object"),
    BrokenConfig(
        "misspelt limit", #"{\#(broker), "worker": {"limits": {"max_dept": 3}}}"#,
        code: .unknownKey, path: "worker.limits.max_dept", "did you mean 'max_depth'?"),
    BrokenConfig(
        "depth too shallow for any message", #"{\#(broker), "worker": {"limits": {"max_depth": 2}}}"#,
        code: .outOfRange, path: "worker.limits.max_depth", "an integer in 3...1024", "found integer 2"),
    BrokenConfig(
        "tiny message size", #"{\#(broker), "worker": {"limits": {"max_message_size": 10}}}"#,
        code: .outOfRange, path: "worker.limits.max_message_size", "an integer in 64..."),
    BrokenConfig(
        "Redis broker URL of another scheme", #"{"broker": {"type": "redis_list", "url": "http://cache:6379"}}"#,
        code: .invalidAddress, path: "broker.url", "scheme 'http' is not redis"),
    BrokenConfig(
        "Redis stream lease renewed no faster than it expires",
        #"{"broker": {"type": "redis_stream", "lease_ttl": 2, "lease_renew_interval": 2}}"#,
        code: .impossibleSettings, path: "broker.lease_renew_interval", "must be shorter than lease_ttl"),
    BrokenConfig(
        "tiny Redis reply limit", #"{"broker": {"type": "redis_list", "max_bulk_length": 10}}"#,
        code: .outOfRange, path: "broker.max_bulk_length", "an integer in 1024...536870912"),
    BrokenConfig(
        "Redis broker reads less than the worker accepts",
        #"{"broker": {"type": "redis_stream", "max_bulk_length": 4096}, "worker": {"limits": {"max_message_size": 8192}}}"#,
        code: .impossibleSettings, path: "worker.limits.max_message_size", "found 8192 bytes",
        "'redis_stream' broker (broker) reads from Redis (max_bulk_length 4096)"),
    BrokenConfig(
        "tiny ZeroMQ frame limit", #"{"broker": {"type": "zeromq", "max_frame_size": 1}}"#,
        code: .outOfRange, path: "broker.max_frame_size", "an integer in 64..."),
    BrokenConfig(
        "log file is a number", #"{\#(broker), "worker": {"log_file": 5}}"#,
        code: .wrongType, path: "worker.log_file", "expected a string"),
    BrokenConfig(
        "unset variable without default", #"{\#(broker), "worker": {"log_level": "${NOPE_LEVEL}"}}"#,
        code: .missingEnvironmentVariable, path: "worker.log_level", "'NOPE_LEVEL' is not set"),
    BrokenConfig(
        "unterminated reference", #"{\#(broker), "worker": {"log_level": "${NOPE"}}"#,
        code: .invalidInterpolation, path: "worker.log_level", "unterminated '${'"),
    BrokenConfig(
        "interpolated number that is not one", #"{\#(broker), "worker": {"max_async_tasks": "${N:-lots}"}}"#,
        code: .wrongType, path: "worker.max_async_tasks", "expected an integer", #"found string "lots""#),
    BrokenConfig(
        "schedules is an object", #"{\#(broker), "schedules": {}}"#,
        code: .wrongType, path: "schedules", "expected an array"),
    BrokenConfig(
        "schedule that is a number", #"{\#(broker), "schedules": [5]}"#,
        code: .wrongType, path: "schedules[0]", "expected an object such as", "found integer 5"),
    BrokenConfig(
        "schedule without a task", #"{\#(broker), "schedules": [{"interval": 5}]}"#,
        code: .missingKey, path: "schedules[0].task", "missing", "name of the task"),
    BrokenConfig(
        "schedule of an unknown task", #"{\#(broker), "schedules": [{"task": "examples.heartbeet", "interval": 5}]}"#,
        code: .unknownTask, path: "schedules[0].task", "unknown task 'examples.heartbeet'",
        "did you mean 'examples.heartbeat'?", "loaded tasks: examples.add"),
    BrokenConfig(
        "misspelt schedule key", #"{\#(broker), "schedules": [{"task": "examples.heartbeat", "intervall": 5}]}"#,
        code: .unknownKey, path: "schedules[0].intervall", "unknown key 'intervall' in a schedule",
        "did you mean 'interval'?"),
    BrokenConfig(
        "schedule with both cron and interval",
        #"{\#(broker), "schedules": [{"task": "examples.heartbeat", "cron": "* * * * *", "interval": 5}]}"#,
        code: .invalidSchedule, path: "schedules[0].interval", "exactly one of 'cron', 'interval' and 'time'",
        "found cron and interval"),
    BrokenConfig(
        "schedule with no trigger", #"{\#(broker), "schedules": [{"task": "examples.heartbeat"}]}"#,
        code: .invalidSchedule, path: "schedules[0]", "exactly one of 'cron', 'interval' and 'time'", "found none"),
    BrokenConfig(
        "cron hour 25 in the third schedule",
        """
        {\(broker), "schedules": [{"task": "examples.heartbeat", "interval": 5}, {"task": "examples.add", "interval": 9, "args": [1, 2]},
         {"task": "examples.heartbeat", "cron": "0 25 * * *"}]}
        """,
        code: .invalidSchedule, path: "schedules[2].cron", "field 'hour': value 25 is out of range 0-23"),
    BrokenConfig(
        "unknown time zone",
        #"{\#(broker), "schedules": [{"task": "examples.heartbeat", "cron": "@daily", "cron_offset": "Mars/Olympus"}]}"#,
        code: .invalidSchedule, path: "schedules[0].cron_offset", "'Mars/Olympus' is not a time zone", "Europe/Berlin"),
    BrokenConfig(
        "zero interval", #"{\#(broker), "schedules": [{"task": "examples.heartbeat", "interval": 0}]}"#,
        code: .invalidSchedule, path: "schedules[0].interval", "at least 1", "found 0"),
    BrokenConfig(
        "one-off time that is not a time", #"{\#(broker), "schedules": [{"task": "examples.heartbeat", "time": "tomorrow"}]}"#,
        code: .invalidSchedule, path: "schedules[0].time", "'tomorrow' is not an ISO-8601 date-time"),
    BrokenConfig(
        "schedule args as an object", #"{\#(broker), "schedules": [{"task": "examples.add", "interval": 5, "args": {"a": 1}}]}"#,
        code: .wrongType, path: "schedules[0].args", "expected an array", "found"),
    BrokenConfig(
        "two schedules with one schedule_id",
        """
        {\(broker), "schedules": [{"task": "examples.heartbeat", "interval": 5, "schedule_id": "beat"},
         {"task": "examples.heartbeat", "interval": 7, "schedule_id": "beat"}]}
        """,
        code: .invalidSchedule, path: "schedules[1].schedule_id", "schedule_id 'beat', already used by schedules[0]"),
    BrokenConfig(
        "the same schedule twice",
        #"{\#(broker), "schedules": [{"task": "examples.heartbeat", "interval": 5}, {"task": "examples.heartbeat", "interval": 5}]}"#,
        code: .invalidSchedule, path: "schedules[1]", "the same schedule as schedules[0]"),
    BrokenConfig(
        "scheduler is an array", #"{\#(broker), "scheduler": []}"#,
        code: .wrongType, path: "scheduler", "expected an object"),
    BrokenConfig(
        "misspelt catch-up policy", #"{\#(broker), "scheduler": {"catch_up": "run_one"}}"#,
        code: .outOfRange, path: "scheduler.catch_up", "one of 'skip', 'run_once'", "did you mean 'run_once'?"),
    BrokenConfig(
        "zero refresh interval", #"{\#(broker), "scheduler": {"refresh_interval": 0}}"#,
        code: .outOfRange, path: "scheduler.refresh_interval", "a number in 1...86400", "found integer 0"),
    BrokenConfig(
        "misspelt scheduler key", #"{\#(broker), "scheduler": {"refresh_intervall": 5}}"#,
        code: .unknownKey, path: "scheduler.refresh_intervall", "in the scheduler section", "did you mean 'refresh_interval'?"),
    BrokenConfig(
        "unknown scheduler lease", #"{\#(broker), "scheduler": {"lease": {"type": "zookeeper"}}}"#,
        code: .unknownComponentType, path: "scheduler.lease.type", "unknown scheduler lease type 'zookeeper'",
        "known scheduler lease types: local, redis"),
    BrokenConfig(
        "redis lease renewed no faster than it expires",
        #"{\#(broker), "scheduler": {"lease": {"type": "redis", "ttl": 5, "renew_interval": 5}}}"#,
        code: .impossibleSettings, path: "scheduler.lease.renew_interval", "must be shorter than ttl (5.0 s)"),
    BrokenConfig(
        "redis lease with a zero ttl", #"{\#(broker), "scheduler": {"lease": {"type": "redis", "ttl": 0}}}"#,
        code: .outOfRange, path: "scheduler.lease.ttl", "found integer 0"),
    BrokenConfig(
        "misspelt redis lease option", #"{\#(broker), "scheduler": {"lease": {"type": "redis", "tll": 5}}}"#,
        code: .unknownKey, path: "scheduler.lease.tll", "did you mean 'ttl'?"),
    BrokenConfig(
        "redis state store with an http url",
        #"{\#(broker), "scheduler": {"state_store": {"type": "redis", "url": "http://127.0.0.1:6379"}}}"#,
        code: .invalidAddress, path: "scheduler.state_store.url", "redis"),
    BrokenConfig(
        "unknown scheduler state store", #"{\#(broker), "scheduler": {"state_store": {"type": "redsi"}}}"#,
        code: .unknownComponentType, path: "scheduler.state_store.type", "did you mean 'redis'?",
        "known scheduler state store types: inmemory, redis"),
    BrokenConfig(
        "brokers is an array", #"{\#(broker), "brokers": [{"type": "inmemory"}]}"#,
        code: .wrongType, path: "brokers", "expected an object of named brokers", "found an array"),
    BrokenConfig(
        "named broker without type", #"{\#(broker), "brokers": {"fast": {"pattern": "push_pull"}}}"#,
        code: .missingKey, path: "brokers.fast.type", "missing \"type\"", "inmemory, zeromq"),
    BrokenConfig(
        "unknown named broker type", #"{\#(broker), "brokers": {"fast": {"type": "zeromp"}}}"#,
        code: .unknownComponentType, path: "brokers.fast.type", "unknown broker type 'zeromp'",
        "did you mean 'zeromq'?"),
    BrokenConfig(
        "misspelt pattern of a named broker", #"{\#(broker), "brokers": {"fast": {"type": "zeromq", "pattern": "push_pul"}}}"#,
        code: .outOfRange, path: "brokers.fast.pattern", "one of 'pub_sub', 'push_pull'", "did you mean 'push_pull'?"),
    BrokenConfig(
        "misspelt option of a named broker", #"{\#(broker), "brokers": {"fast": {"type": "zeromq", "patern": "push_pull"}}}"#,
        code: .unknownKey, path: "brokers.fast.patern", "unknown key 'patern' in the 'zeromq' broker",
        "did you mean 'pattern'?"),
    BrokenConfig(
        "misspelt result backend of a named broker", #"{\#(broker), "brokers": {"fast": {"type": "inmemory", "result_backnd": {}}}}"#,
        code: .unknownKey, path: "brokers.fast.result_backnd", "did you mean 'result_backend'?"),
    BrokenConfig(
        "unknown result backend of a named broker",
        #"{\#(broker), "brokers": {"fast": {"type": "inmemory", "result_backend": {"type": "memcached"}}}}"#,
        code: .unknownComponentType, path: "brokers.fast.result_backend.type", "unknown result backend type 'memcached'"),
    BrokenConfig(
        "named broker called default", #"{\#(broker), "brokers": {"default": {"type": "inmemory"}}}"#,
        code: .outOfRange, path: "brokers.default", "names the main broker"),
    BrokenConfig(
        "broker name with a dot", #"{\#(broker), "brokers": {"a.b": {"type": "inmemory"}}}"#,
        code: .outOfRange, path: #"brokers["a.b"]"#, "expected letters, digits, '_' and '-' only"),
    BrokenConfig(
        "several workers with an in-memory named broker",
        #"{"broker": {"type": "zeromq"}, "brokers": {"side": {"type": "inmemory"}}, "worker": {"workers": 2}}"#,
        code: .impossibleSettings, path: "worker.workers", "'inmemory' broker (brokers.side)"),
    BrokenConfig(
        "routes is an array", #"{\#(broker), "tasks": {"routes": ["examples"]}}"#,
        code: .wrongType, path: "tasks.routes", "expected an object of module globs to broker names"),
    BrokenConfig(
        "route to a number", #"{\#(broker), "tasks": {"routes": {"examples": 1}}}"#,
        code: .wrongType, path: "tasks.routes.examples", "expected a broker name (one of: default)", "found integer 1"),
    BrokenConfig(
        "route to an unknown broker",
        #"{\#(broker), "brokers": {"fast": {"type": "inmemory"}}, "tasks": {"routes": {"examples": "fsat"}}}"#,
        code: .unknownBroker, path: "tasks.routes.examples", "unknown broker 'fsat'", "did you mean 'fast'?",
        "a key of \"brokers\" (fast)"),
    BrokenConfig(
        "route matching no loaded module",
        #"{\#(broker), "brokers": {"fast": {"type": "inmemory"}}, "tasks": {"routes": {"billing.*": "fast"}}}"#,
        code: .noModuleMatches, path: #"tasks.routes["billing.*"]"#, "route pattern 'billing.*' matches no loaded module",
        "loaded modules: examples"),
    BrokenConfig(
        "dead_letters is a string", #"{\#(broker), "dead_letters": "redis"}"#,
        code: .wrongType, path: "dead_letters", "expected an object with a \"type\" key", "inmemory, redis, rabbitmq, nats, file"),
    BrokenConfig(
        "unknown dead-letter queue", #"{\#(broker), "dead_letters": {"type": "fiel", "path": "x"}}"#,
        code: .unknownComponentType, path: "dead_letters.type", "unknown dead-letter queue type 'fiel'",
        "did you mean 'file'?"),
    BrokenConfig(
        "dead-letter file without a path", #"{\#(broker), "dead_letters": {"type": "file"}}"#,
        code: .missingKey, path: "dead_letters.path", "missing", "requires it"),
    BrokenConfig(
        "dead-letter file with an empty path", #"{\#(broker), "dead_letters": {"type": "file", "path": ""}}"#,
        code: .outOfRange, path: "dead_letters.path", "found an empty path"),
    BrokenConfig(
        "misspelt failed_tasks", #"{\#(broker), "dead_letters": {"type": "inmemory", "failed_task": "all"}}"#,
        code: .unknownKey, path: "dead_letters.failed_task", "did you mean 'failed_tasks'?"),
    BrokenConfig(
        "unknown failed_tasks policy", #"{\#(broker), "dead_letters": {"type": "inmemory", "failed_tasks": "some"}}"#,
        code: .outOfRange, path: "dead_letters.failed_tasks", "one of 'exhausted', 'all', 'none'", #"found string "some""#),
    BrokenConfig(
        "dead-letter stream URL of another scheme",
        #"{\#(broker), "dead_letters": {"type": "redis", "url": "http://cache:6379"}}"#,
        code: .invalidAddress, path: "dead_letters.url", "scheme 'http' is not redis"),
    BrokenConfig(
        "dead-letter stream maxlen of zero", #"{\#(broker), "dead_letters": {"type": "redis", "maxlen": 0}}"#,
        code: .outOfRange, path: "dead_letters.maxlen", ">= 1 or null", "found integer 0"),
    BrokenConfig(
        "dead-letter file in a missing directory",
        #"{\#(broker), "dead_letters": {"type": "file", "path": "/nonexistent-taskiq-dir/letters.jsonl"}}"#,
        code: .unwritableFile, path: "dead_letters.path", "cannot create '/nonexistent-taskiq-dir/letters.jsonl'",
        "No such file or directory"),
    BrokenConfig(
        "dead-letter file that is a directory", #"{\#(broker), "dead_letters": {"type": "file", "path": "/tmp"}}"#,
        code: .unwritableFile, path: "dead_letters.path", "'/tmp' is a directory"),
    BrokenConfig(
        "dead-letter file under a file", #"{\#(broker), "dead_letters": {"type": "file", "path": "/dev/null/letters"}}"#,
        code: .unwritableFile, path: "dead_letters.path", "cannot use '/dev/null/letters'", "Not a directory"),
    BrokenConfig(
        "zero delay poll interval", #"{"broker": {"type": "redis_list", "delay_poll_interval": 0}}"#,
        code: .outOfRange, path: "broker.delay_poll_interval", "a number in 0.01...3600", "found integer 0"),
    BrokenConfig(
        "huge delay poll interval", #"{"broker": {"type": "redis_stream", "delay_poll_interval": 1e300}}"#,
        code: .outOfRange, path: "broker.delay_poll_interval", "a number in 0.01...3600"),
    BrokenConfig(
        "non-numeric delay poll interval", #"{"broker": {"type": "redis_stream", "delay_poll_interval": "soon"}}"#,
        code: .wrongType, path: "broker.delay_poll_interval", "expected a number"),
    BrokenConfig(
        "extends cycle", #"{"extends": "b.json", \#(broker)}"#,
        code: .extendsCycle, path: "extends", "taskiq.json -> ", "b.json -> ", "taskiq.json",
        extraFiles: ["b.json": #"{"extends": "taskiq.json"}"#], file: "b.json"),
    BrokenConfig(
        "missing base file", #"{"extends": "nowhere.json", \#(broker)}"#,
        code: .unreadableFile, path: "extends", "cannot read base file", "nowhere.json", "no such file"),
    BrokenConfig(
        "bad value inherited from the base file", #"{"extends": "base.json", "worker": {"max_prefetch": 1}}"#,
        code: .outOfRange, path: "result_backend.max_stored_results", "found integer -9",
        extraFiles: ["base.json": #"{\#(broker), "result_backend": {"type": "inmemory", "max_stored_results": -9}}"#],
        file: "base.json"),
]

@Suite struct BrokenConfigTests {
    @Test func thereAreAtLeastTwentyFiveCases() {
        #expect(brokenConfigs.count >= 25)
    }

    @Test(arguments: brokenConfigs)
    func brokenConfigFailsWithPathAndReason(_ broken: BrokenConfig) throws {
        let directory = try TemporaryConfigDirectory(files: broken.files)
        let error = try #require(Fixtures.error(loading: directory.path("taskiq.json"), environment: broken.environment))
        #expect(error.code == broken.code)
        #expect(error.file.lastPathComponent == broken.file)
        #expect(error.path == broken.path)
        for reason in broken.reasons {
            #expect(error.message.contains(reason), "\(error.message) should mention \(reason)")
        }
        #expect(!error.description.contains("\n"))
        let prefix = broken.path.isEmpty ? "\(error.file): " : "\(error.file): \(broken.path): "
        #expect(error.description.hasPrefix(prefix))
        #expect(TaskiqRunner.exitStatus(for: error) == 2)
    }

    @Test func runnerReportsAConfigErrorWithStatusTwo() async throws {
        let directory = try TemporaryConfigDirectory(files: ["taskiq.json": "{}"])
        let status = await TaskiqRunner(modules: Fixtures.modules).run(["check", "-c", directory.path("taskiq.json")], environment: [:])
        #expect(status == 2)
    }

    @Test func otherErrorsMapToStatusOne() {
        struct Boom: Error {}
        #expect(TaskiqRunner.exitStatus(for: Boom()) == 1)
        #expect(TaskiqRunner.exitStatus(for: CommandLineError(code: .unknownOption, message: "x")) == 2)
    }
}
