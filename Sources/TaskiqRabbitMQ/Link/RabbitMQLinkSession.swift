/// What a ``RabbitMQLink`` set up on one connection: the channel, ready for use (confirm mode,
/// QoS, topology declared), and the consumers started on it.
package struct RabbitMQLinkSession: Sendable {
    /// The channel everything of this connection goes through.
    package var channel: AMQPChannel
    /// The consumers started on it; empty on the write side.
    package var consumers: [AMQPConsumer]

    /// A session of `channel` with `consumers`.
    package init(channel: AMQPChannel, consumers: [AMQPConsumer] = []) {
        self.channel = channel
        self.consumers = consumers
    }

    /// The connection the channel belongs to.
    package var connection: AMQPConnection { channel.connection }
}
