/// One message the server delivered to a consumer.
package struct AMQPDelivery: Sendable {
    /// The consumer it was delivered to.
    package var consumerTag: String
    /// The tag to acknowledge it with on its channel.
    package var deliveryTag: UInt64
    /// Whether it was delivered before and not acknowledged.
    package var redelivered: Bool
    /// The exchange it was published to.
    package var exchange: String
    /// The routing key it was published with.
    package var routingKey: String
    /// Its properties (headers include `x-delivery-count` and `x-death` when the server added them).
    package var properties: AMQPProperties
    /// The body.
    package var body: [UInt8]

    /// Creates a delivery.
    package init(
        consumerTag: String, deliveryTag: UInt64, redelivered: Bool, exchange: String, routingKey: String,
        properties: AMQPProperties, body: [UInt8]
    ) {
        self.consumerTag = consumerTag
        self.deliveryTag = deliveryTag
        self.redelivered = redelivered
        self.exchange = exchange
        self.routingKey = routingKey
        self.properties = properties
        self.body = body
    }
}
