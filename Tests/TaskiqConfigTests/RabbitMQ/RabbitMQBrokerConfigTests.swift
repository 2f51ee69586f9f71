import Taskiq
import TaskiqRabbitMQ
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig

/// The `rabbitmq` broker type as the config sees it: taskiq-aio-pika's names and defaults, the
/// queue list, and what RabbitMQ would refuse caught when the file loads.
@Suite struct RabbitMQBrokerConfigTests {
    static func system(_ broker: String, environment: [String: String] = [:]) throws -> TaskiqSystem {
        let directory = try TemporaryConfigDirectory(files: ["taskiq.json": #"{"broker": \#(broker), "tasks": {"modules": ["examples"]}}"#])
        return try TaskiqSystem.load(directory.path("taskiq.json"), modules: Fixtures.modules, environment: environment)
    }

    @Test func defaultsAreTaskiqAioPikas() throws {
        let broker = try #require(try Self.system(#"{"type": "rabbitmq"}"#).broker(named: "default") as? RabbitMQBroker)
        #expect(broker.url == "amqp://guest:***@localhost:5672")
        #expect(broker.options == RabbitMQBrokerOptions(), "every default is the options type's")
        #expect(broker.options.exchangeName == "taskiq" && broker.options.exchangeType == "topic")
        #expect(broker.options.queues == [RabbitMQQueue(name: "taskiq", kind: .quorum)])
        #expect(broker.options.deadLetterQueueName == "taskiq.dead_letter" && broker.options.qos == 10)
        #expect(broker.options.routingLabel == "queue_name" && broker.options.priorityLabel == "priority")
        #expect(broker.options.delay == .none && !broker.options.passive)
    }

    @Test func theExampleInterpolatesTheURLAndMasksThePassword() throws {
        let system = try TaskiqSystem.load(
            TestPaths.example("taskiq.rabbitmq.json"), modules: Fixtures.modules,
            environment: ["RABBITMQ_URL": "amqp://app:s3cret@mq.internal:5673/prod"])
        let broker = try #require(system.broker(named: "default") as? RabbitMQBroker)
        #expect(broker.url == "amqp://app:***@mq.internal:5673/prod")
        #expect(broker.options.delay == .ttlQueues(prefix: "taskiq.delay"))
        #expect(!system.isProcessLocal(broker: "default"))
        let resolved = "\(system.resolvedConfiguration)"
        #expect(!resolved.contains("s3cret") && resolved.contains("mq.internal"), "check's output never shows the password: \(resolved)")
    }

    @Test func everyOptionIsRead() throws {
        let system = try Self.system(
            """
            {"type": "rabbitmq", "url": "amqp://u:p@127.0.0.1:1/v", "exchange_name": "jobs", "exchange_type": "direct",
             "queues": [{"name": "high", "type": "classic", "max_priority": 10, "routing_key": "urgent"}, {"name": "low"}],
             "dead_letter_queue_name": "jobs.dead", "delay": "plugin", "qos": 50, "label_for_routing": "lane",
             "label_for_priority": "prio", "passive": true, "max_deliveries": 3, "reconnect_delay": 0.25,
             "max_reconnect_delay": 2, "publish_timeout": 9.5}
            """)
        let options = try #require(system.broker(named: "default") as? RabbitMQBroker).options
        #expect(options.exchangeName == "jobs" && options.exchangeType == "direct")
        #expect(
            options.queues == [
                RabbitMQQueue(name: "high", kind: .classic, maxPriority: 10, routingKey: "urgent"),
                RabbitMQQueue(name: "low", kind: .quorum),
            ])
        #expect(options.deadLetterQueueName == "jobs.dead" && options.delay == .plugin && options.qos == 50)
        #expect(options.routingLabel == "lane" && options.priorityLabel == "prio" && options.passive)
        #expect(options.maxDeliveries == 3 && options.reconnectDelay == .milliseconds(250))
        #expect(options.maxReconnectDelay == .seconds(2) && options.publishTimeout == .milliseconds(9500))
    }

    @Test func theSchemaDescribesTheQueueList() throws {
        let schema = ComponentRegistry.standard.jsonSchema()
        let text = "\(schema)"
        #expect(text.contains("broker.rabbitmq"))
        let rabbit = schema.objectValue?["$defs"]?.objectValue?["broker.rabbitmq"]?.objectValue
        guard let queues = rabbit?["properties"]?.objectValue?["queues"]?.objectValue,
            let items = queues["items"]?.objectValue
        else {
            Issue.record("no queues in the rabbitmq schema: \(text.prefix(400))")
            return
        }
        #expect(queues["type"] == "array")
        #expect(items["additionalProperties"] == false)
        #expect(items["required"] == ["name"])
        #expect(queues["default"] == [["name": "taskiq", "type": "quorum", "max_priority": nil, "routing_key": nil]])
    }
}
