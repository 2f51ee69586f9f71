import Taskiq

extension RabbitMQBroker {
    /// Publishes a kick that must wait `milliseconds` before a worker sees it, the way
    /// ``RabbitMQBrokerOptions/delay`` says.
    ///
    /// - TTL queues: published through the default exchange to the delay queue of its routing key
    ///   and delay (declared on first use), which dead-letters it into the task exchange when
    ///   its TTL expires. The routing key is checked first: a message dead-lettered to a key
    ///   nothing is bound to would be dropped by the server, not returned.
    /// - Plugin: published to `<exchange>.plugin_delay` with header `x-delay` (integer ms).
    func publishDelayed(_ message: BrokerMessage, routingKey: String, milliseconds: UInt32, on channel: AMQPChannel) async throws {
        var properties = properties(for: message)
        switch options.delay {
        case .none:
            throw TaskiqError(
                .unsupported,
                """
                task \(message.taskName) was kicked with a delay, but this RabbitMQ broker has no delay mechanism; \
                set the broker's delay option to ttlQueues or plugin
                """)
        case .plugin:
            guard let exchange = topology.pluginExchange else {
                throw TaskiqError(.unsupported, "the delayed-message plugin exchange is not declared")
            }
            properties.headers = Self.pluginHeaders(properties.headers, milliseconds: milliseconds)
            do {
                try await channel.publish(
                    exchange: exchange, routingKey: routingKey, body: message.message, properties: properties,
                    mandatory: true)
            } catch let error as AMQPConnectionError where error.code == .publishReturned {
                throw unroutable(error, routingKey: routingKey, exchange: exchange)
            }
        case .ttlQueues(let prefix):
            guard isDeclaredRoutingKey(routingKey) else {
                throw TaskiqError(
                    .invalidArguments,
                    """
                    no queue of this broker is bound to routing key '\(routingKey)'\
                    \(topology.queues.count > 1 ? " (the '\(options.routingLabel)' label)" : ""), so the delayed task \
                    \(message.taskName) would be dropped when its delay ends; the broker's queues: \(Self.describe(topology.queues))
                    """)
            }
            let queue = try RabbitMQDelayQueue(
                prefix: prefix, exchange: topology.exchange, routingKey: routingKey,
                milliseconds: milliseconds)
            if delayQueues.needsDeclaring(queue.name, on: channel) {
                try await declare(queue, on: channel)
            }
            do {
                try await channel.publish(
                    exchange: "", routingKey: queue.name, body: message.message, properties: properties,
                    mandatory: true)
            } catch let error as AMQPConnectionError where error.code == .publishReturned {
                // The queue is gone (it expired, or an operator deleted it): declare it and publish once more.
                delayQueues.forget(queue.name)
                try await declare(queue, on: channel)
                try await channel.publish(
                    exchange: "", routingKey: queue.name, body: message.message, properties: properties,
                    mandatory: true)
            }
        }
    }

    /// Declares a TTL delay queue and remembers it for this channel.
    private func declare(_ queue: RabbitMQDelayQueue, on channel: AMQPChannel) async throws {
        try await channel.declareQueue(queue.name, durable: true, arguments: queue.arguments)
        delayQueues.didDeclare(queue.name, on: channel)
    }

    /// `headers` plus `x-delay` (integer milliseconds), sorted as pamqp writes them.
    static func pluginHeaders(_ headers: AMQPFieldTable?, milliseconds: UInt32) -> AMQPFieldTable {
        var headers = headers ?? [:]
        headers["x-delay"] = .int64(Int64(milliseconds))
        return headers.sorted()
    }
}
