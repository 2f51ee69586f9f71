/// The deliveries of one consumer, as an `AsyncSequence`.
///
/// The sequence ends with an error when the server cancels the consumer (`consumerCancelled`),
/// closes the channel or the connection; it finishes normally after ``AMQPChannel/cancel(_:)``.
package struct AMQPConsumer: AsyncSequence, Sendable {
    /// The element type.
    package typealias Element = AMQPDelivery

    /// The consumer tag.
    package let tag: String
    /// The channel the consumer lives on; acknowledge deliveries there.
    package let channel: AMQPChannel
    let deliveries: AsyncThrowingStream<AMQPDelivery, any Error>

    /// Iterates over the deliveries.
    package func makeAsyncIterator() -> AsyncThrowingStream<AMQPDelivery, any Error>.AsyncIterator {
        deliveries.makeAsyncIterator()
    }
}
