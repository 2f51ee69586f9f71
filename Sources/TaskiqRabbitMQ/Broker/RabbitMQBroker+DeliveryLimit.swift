import Taskiq

extension RabbitMQBroker {
    /// How many times the server delivered `delivery`, this time included: a quorum queue's
    /// `x-delivery-count` (redeliveries so far) plus one; on a classic queue, which does not
    /// count, 2 when it is `redelivered` (a lower bound), else 1.
    static func deliveryCount(of delivery: AMQPDelivery) -> Int {
        if let count = delivery.properties.headers?["x-delivery-count"]?.integerValue, count >= 0, count < Int64(Int32.max) {
            return Int(count) + 1
        }
        return delivery.redelivered ? 2 : 1
    }

    /// The message for the receiver, or `nil` when the delivery went past
    /// ``RabbitMQBrokerOptions/maxDeliveries`` and was dead-lettered instead (then acknowledged;
    /// when the letter cannot be stored, the delivery goes back to the queue after a second, so
    /// it is never lost).
    func deliverable(_ delivery: AMQPDelivery, from queue: String, on channel: AMQPChannel) async -> AckableMessage? {
        let deliveries = Self.deliveryCount(of: delivery)
        if let limit = options.maxDeliveries, deliveries > limit {
            await deadLetter(delivery, from: queue, on: channel, deliveries: deliveries, limit: limit)
            return nil
        }
        return ackable(delivery, channel: channel)
    }

    private func deadLetter(_ delivery: AMQPDelivery, from queue: String, on channel: AMQPChannel, deliveries: Int, limit: Int) async {
        let text = "delivered \(deliveries) times, more than max_deliveries (\(limit))"
        let letter = DeadLetter(
            reason: .deliveryLimit, message: text, data: delivery.body, queue: queue,
            originalID: delivery.properties.messageID, deliveries: deliveries
        ).withMessageDetails()
        let what = letter.taskName.map { "task \($0) (\(letter.taskID ?? "?"))" } ?? "a message of \(delivery.body.count) bytes"
        let destination = components.deadLetterQueue ?? ownDeadLetters
        do {
            let id = try await destination.add(letter)
            logger.error("dead-lettered \(what) from queue '\(queue)' as \(id): \(text)")
            try channel.ack(delivery.deliveryTag)
        } catch {
            logger.error("cannot dead-letter \(what) from queue '\(queue)' (\(text)): \(error); it goes back to the queue")
            // Not at once: a dead-letter queue that is down would otherwise be retried in a tight loop.
            try? await Task.sleep(for: .seconds(1))
            try? channel.nack(delivery.deliveryTag, requeue: true)
        }
    }
}
