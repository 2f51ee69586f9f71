import Taskiq

extension RabbitMQBroker {
    /// Publishes a kick on `channel`: after its `delay` (``RabbitMQBrokerOptions/delay``), else
    /// straight to the task exchange, mandatory, waiting for the server's confirm.
    /// - Throws: ``TaskiqError`` `invalidArguments` for a bad `delay` label or a routing label
    ///   that names no queue, `unsupported` for a delay without a delay mechanism;
    ///   ``AMQPConnectionError`` `publishReturned` when nothing is bound to the routing key
    ///   (the message was not stored), `publishNacked`, or the connection's error.
    func publish(_ message: BrokerMessage, on channel: AMQPChannel) async throws {
        let routingKey = try routingKey(for: message)
        if let milliseconds = try RabbitMQDelayQueue.milliseconds(fromDelayLabel: message.labels["delay"]), milliseconds > 0 {
            try await publishDelayed(message, routingKey: routingKey, milliseconds: milliseconds, on: channel)
            return
        }
        do {
            try await channel.publish(
                exchange: topology.exchange, routingKey: routingKey, body: message.message,
                properties: properties(for: message), mandatory: true)
        } catch let error as AMQPConnectionError where error.code == .publishReturned {
            throw unroutable(error, routingKey: routingKey, exchange: topology.exchange)
        }
    }

    /// The one queue's key, or with several queues the routing label's value.
    /// - Throws: ``TaskiqError`` `invalidArguments` when there are several queues and the message
    ///   has no routing label: it would be published with key `""` and returned by the server.
    func routingKey(for message: BrokerMessage) throws(TaskiqError) -> String {
        if topology.queues.count == 1 { return topology.queues[0].effectiveRoutingKey }
        guard let label = message.labels[options.routingLabel], label != .null else {
            throw TaskiqError(
                .invalidArguments,
                """
                task \(message.taskName) has no '\(options.routingLabel)' label, which picks one of the \
                \(topology.queues.count) RabbitMQ queues: \(Self.describe(topology.queues)); set it with \
                .withLabels(["\(options.routingLabel)": "<routing key>"])
                """)
        }
        return Self.labelText(label)
    }

    /// Whether messages published with `routingKey` to the task exchange reach a task queue the
    /// broker declared: an exact key, or any key when a binding has a topic wildcard.
    func isDeclaredRoutingKey(_ routingKey: String) -> Bool {
        topology.queues.contains { queue in
            let key = queue.effectiveRoutingKey
            return key == routingKey || (options.exchangeType == "topic" && (key.contains("*") || key.contains("#")))
        }
    }

    /// aio-pika's properties: flags 0x3880.
    func properties(for message: BrokerMessage) -> AMQPProperties {
        var headers: AMQPFieldTable = ["task_id": .string(message.taskID), "task_name": .string(message.taskName)]
        for (key, value) in message.labels { headers[key] = .string(Self.labelText(value)) }
        let priority = message.labels[options.priorityLabel].flatMap { UInt8(Self.labelText($0)) } ?? 0
        return AMQPProperties(
            headers: headers.sorted(), deliveryMode: 2, priority: priority,
            messageID: AMQPConnection.randomMessageID())
    }

    /// A label as taskiq's `prepare_label` makes it: a string as is, anything else as Python prints it.
    static func labelText(_ value: JSONValue) -> String { value.stringValue ?? value.pythonRepr }

    /// The server's Basic.Return, said so that the kicker knows the message is not stored and why.
    func unroutable(_ error: AMQPConnectionError, routingKey: String, exchange: String) -> AMQPConnectionError {
        let label = topology.queues.count > 1 ? " (the '\(options.routingLabel)' label)" : ""
        return AMQPConnectionError(
            .publishReturned, replyCode: error.replyCode, replyText: error.replyText,
            message: """
                the server returned the message: no queue is bound to routing key '\(routingKey)'\(label) on exchange \
                '\(exchange)', so it was not stored (\(error.replyCode.map(String.init) ?? "?") \(error.replyText)); \
                the broker's queues: \(Self.describe(topology.queues))
                """)
    }

    /// `name (key k), …` for messages.
    static func describe(_ queues: [RabbitMQQueue]) -> String {
        queues.map { $0.effectiveRoutingKey == $0.name ? "'\($0.name)'" : "'\($0.name)' (key '\($0.effectiveRoutingKey)')" }
            .joined(separator: ", ")
    }

    /// Declares the topology on `channel` (``RabbitMQBrokerOptions/passive``: only checks it),
    /// one method at a time, so a refusal names what was refused.
    /// - Throws: ``AMQPConnectionError`` from the server, its message saying which queue or
    ///   exchange is missing (passive, 404), has other arguments (406), or that the server lacks
    ///   the delayed-message plugin (503, which closes the whole connection).
    func declareTopology(on channel: AMQPChannel) async throws {
        for method in topology.declarations(passive: options.passive) {
            do {
                _ = try await channel.connection.call(channel.id, method)
            } catch let error as AMQPConnectionError {
                throw Self.explain(error, declaring: method)
            }
        }
    }

    /// A declare refusal, said with what was declared and what to do.
    static func explain(_ error: AMQPConnectionError, declaring method: AMQPMethod) -> AMQPConnectionError {
        let what: String
        let passive: Bool
        switch method {
        case .exchangeDeclare(let name, let type, let isPassive, _, _, _, _, _):
            if type == RabbitMQTopology.pluginExchangeType, error.replyCode == 503 {
                return AMQPConnectionError(
                    error.code, replyCode: error.replyCode, replyText: error.replyText,
                    message: """
                        the RabbitMQ server does not have the delayed message plugin (rabbitmq_delayed_message_exchange): \
                        it refused exchange '\(name)' of type '\(type)' with \(error.replyCode ?? 0) \(error.replyText) and closed \
                        the connection; enable the plugin (rabbitmq-plugins enable rabbitmq_delayed_message_exchange) or use \
                        the TTL delay queues (delay: ttlQueues) instead
                        """)
            }
            (what, passive) = ("exchange '\(name)'", isPassive)
        case .queueDeclare(let name, let isPassive, _, _, _, _, _):
            (what, passive) = ("queue '\(name)'", isPassive)
        case .queueBind(let queue, let exchange, let key, _, _):
            (what, passive) = ("the binding of queue '\(queue)' to exchange '\(exchange)' with key '\(key)'", false)
        default:
            return error
        }
        let reply = "\(error.replyCode.map(String.init) ?? "") \(error.replyText)".trimmingPrefix(" ")
        let message: String
        switch error.replyCode {
        case 404 where passive:
            message =
                "\(what) does not exist on the server (passive declare: \(reply)); create it, or turn passive off so that the broker declares it"
        case 406:
            message = "\(what) exists on the server with other arguments or type (\(reply)); delete it or match the broker's options to it"
        default:
            message = "cannot declare \(what): \(error.message)"
        }
        return AMQPConnectionError(error.code, replyCode: error.replyCode, replyText: error.replyText, message: message)
    }
}
