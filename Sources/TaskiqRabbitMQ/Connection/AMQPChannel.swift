/// One AMQP channel: declares, QoS, publishing (with confirms once ``confirmSelect()`` ran),
/// consuming and acknowledging.
///
/// Calls that wait for a reply are answered in order per channel; many publishes may be
/// outstanding at once, each waiting for its own confirm.
package final class AMQPChannel: Sendable {
    /// The connection the channel belongs to.
    package let connection: AMQPConnection
    /// The channel number.
    package let id: UInt16

    init(connection: AMQPConnection, id: UInt16) {
        self.connection = connection
        self.id = id
    }

    /// Puts the channel in publisher-confirm mode: every ``publish(exchange:routingKey:body:properties:mandatory:)``
    /// then returns only once the server confirmed the message.
    package func confirmSelect() async throws {
        try await connection.confirmSelect(id)
    }

    /// Limits the unacknowledged deliveries the server sends to this channel's consumers.
    package func qos(prefetchCount: UInt16, global: Bool = false) async throws {
        _ = try await connection.call(id, .basicQos(prefetchSize: 0, prefetchCount: prefetchCount, global: global))
    }

    /// Declares an exchange (or, `passive`, checks that it exists).
    package func declareExchange(
        _ name: String, type: String, durable: Bool = true, autoDelete: Bool = false,
        isInternal: Bool = false, passive: Bool = false, arguments: AMQPFieldTable = [:]
    ) async throws {
        try Self.checkNames(name, type)
        _ = try await connection.call(
            id,
            .exchangeDeclare(
                exchange: name, type: type, passive: passive, durable: durable,
                autoDelete: autoDelete, internal: isInternal, noWait: false, arguments: arguments))
    }

    /// Declares a queue (or, `passive`, checks that it exists) and returns its counts.
    @discardableResult
    package func declareQueue(
        _ name: String, durable: Bool = true, exclusive: Bool = false, autoDelete: Bool = false,
        passive: Bool = false, arguments: AMQPFieldTable = [:]
    ) async throws
        -> (queue: String, messageCount: UInt32, consumerCount: UInt32)
    {
        try Self.checkNames(name)
        let reply = try await connection.call(
            id,
            .queueDeclare(
                queue: name, passive: passive, durable: durable, exclusive: exclusive,
                autoDelete: autoDelete, noWait: false, arguments: arguments))
        guard case .queueDeclareOk(let queue, let messages, let consumers) = reply else {
            throw AMQPConnectionError(.protocolViolation, message: "Queue.Declare was answered with \(reply.name)")
        }
        return (queue, messages, consumers)
    }

    /// Binds a queue to an exchange with a routing key.
    package func bindQueue(_ queue: String, exchange: String, routingKey: String, arguments: AMQPFieldTable = [:]) async throws {
        try Self.checkNames(queue, exchange, routingKey)
        _ = try await connection.call(
            id, .queueBind(queue: queue, exchange: exchange, routingKey: routingKey, noWait: false, arguments: arguments))
    }

    /// Publishes a message; in confirm mode, returns once the server confirmed it.
    /// - Throws: `publishNacked`, `publishReturned` (mandatory and unroutable, e.g. 312 NO_ROUTE),
    ///   or the channel's or connection's error.
    package func publish(
        exchange: String, routingKey: String, body: [UInt8], properties: AMQPProperties = AMQPProperties(),
        mandatory: Bool = false
    ) async throws {
        try Self.checkNames(exchange, routingKey)
        try await connection.publish(
            id, exchange: exchange, routingKey: routingKey, mandatory: mandatory, properties: properties, body: body)
    }

    /// Starts a consumer on `queue` with manual acks (unless `noAck`).
    /// - Parameter tag: The consumer tag; a random `ctag-swift.<hex>` when `nil`.
    package func consume(
        queue: String, tag: String? = nil, noAck: Bool = false, exclusive: Bool = false,
        arguments: AMQPFieldTable = [:]
    ) async throws -> AMQPConsumer {
        let tag = tag ?? "ctag-swift.\(AMQPConnection.randomMessageID())"
        try Self.checkNames(queue, tag)
        let deliveries = connection.addConsumer(id, tag: tag)
        do {
            _ = try await connection.call(
                id,
                .basicConsume(
                    queue: queue, consumerTag: tag, noLocal: false, noAck: noAck,
                    exclusive: exclusive, noWait: false, arguments: arguments))
        } catch {
            connection.removeConsumer(id, tag: tag)
            throw error
        }
        return AMQPConsumer(tag: tag, channel: self, deliveries: deliveries)
    }

    /// Stops a consumer; its sequence finishes after the server's CancelOk.
    package func cancel(_ consumerTag: String) async throws {
        _ = try await connection.call(id, .basicCancel(consumerTag: consumerTag, noWait: false))
        connection.removeConsumer(id, tag: consumerTag)
    }

    /// Acknowledges a delivery (or, `multiple`, every delivery up to it).
    package func ack(_ deliveryTag: UInt64, multiple: Bool = false) throws {
        try connection.send(id, .basicAck(deliveryTag: deliveryTag, multiple: multiple))
    }

    /// Rejects deliveries; without `requeue` they go to the queue's dead-letter exchange.
    package func nack(_ deliveryTag: UInt64, multiple: Bool = false, requeue: Bool) throws {
        try connection.send(id, .basicNack(deliveryTag: deliveryTag, multiple: multiple, requeue: requeue))
    }

    /// Rejects one delivery; without `requeue` it goes to the queue's dead-letter exchange.
    package func reject(_ deliveryTag: UInt64, requeue: Bool) throws {
        try connection.send(id, .basicReject(deliveryTag: deliveryTag, requeue: requeue))
    }

    /// Closes the channel (Channel.Close, then CloseOk) and frees its number.
    package func close() async {
        await connection.closeChannel(id)
    }

    private static func checkNames(_ names: String...) throws(AMQPConnectionError) {
        for name in names where !AMQPByteWriter.isShortString(name) {
            throw AMQPConnectionError(
                .invalidArgument, message: "'\(name.prefix(40))…' is \(name.utf8.count) bytes; AMQP names are at most 255")
        }
    }
}
