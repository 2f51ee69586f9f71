/// One channel's acknowledgements, held until the next write so that deliveries settled
/// together go out as one `Basic.Ack` with `multiple` — one frame, and for a quorum queue one
/// settle command in its log, instead of one per delivery.
///
/// An ack with `multiple` settles every unsettled delivery of the channel up to its tag, so the
/// coalescer keeps the channel's unsettled deliveries (at most the prefetch count): queued acks
/// below the lowest delivery that stays unsettled — one still running, or one nacked — become one
/// `multiple` ack; the others are sent one by one in the same write, so no ack waits for a slow
/// task and no delivery is settled by another's ack.
package struct AMQPAckCoalescer: Sendable, Hashable {
    /// Delivery tags the server sent and nothing settled yet.
    private var unsettled: Set<UInt64> = []
    /// Acks queued and not sent yet.
    private var queued: [UInt64] = []
    /// Consumers started with `no-ack`: the server settles their deliveries as it sends them.
    private var withoutAcks: Set<String> = []

    /// An empty coalescer, for a channel just opened.
    package init() {}

    /// Whether acks wait for ``drain()``.
    package var hasQueued: Bool { !queued.isEmpty }

    /// How many deliveries are unsettled.
    package var unsettledCount: Int { unsettled.count }

    /// Records a consumer the channel starts (`Basic.Consume`), so that deliveries to a `no-ack`
    /// one, which are never acked, are not kept as unsettled.
    package mutating func consumerStarted(_ consumerTag: String, noAck: Bool) {
        if noAck { withoutAcks.insert(consumerTag) } else { withoutAcks.remove(consumerTag) }
    }

    /// Records a delivery the server sent (`Basic.Deliver`) to `consumer`.
    package mutating func delivered(_ deliveryTag: UInt64, consumer: String) {
        guard !withoutAcks.contains(consumer) else { return }
        unsettled.insert(deliveryTag)
    }

    /// Queues an ack of one delivery.
    package mutating func queue(_ deliveryTag: UInt64) {
        queued.append(deliveryTag)
    }

    /// Records a frame sent now that settles `deliveryTag` (a nack, a reject, an ack) or, with
    /// `multiple`, every delivery up to it.
    package mutating func settled(_ deliveryTag: UInt64, multiple: Bool) {
        if multiple {
            unsettled = unsettled.filter { $0 > deliveryTag }
        } else {
            unsettled.remove(deliveryTag)
        }
    }

    /// The acks to send for what is queued: one `multiple` ack for the queued deliveries below
    /// every delivery that stays unsettled (a plain ack when there is one), then each other
    /// queued tag alone, in ascending order.
    package mutating func drain() -> [(deliveryTag: UInt64, multiple: Bool)] {
        guard !queued.isEmpty else { return [] }
        let tags = Set(queued)
        queued.removeAll(keepingCapacity: true)
        var lowestStaying = UInt64.max
        for tag in unsettled where tag < lowestStaying && !tags.contains(tag) { lowestStaying = tag }
        // Only deliveries this channel knows: an unknown tag goes alone and the server judges it.
        let sorted = tags.sorted()
        let run = sorted.prefix { $0 < lowestStaying && unsettled.contains($0) }
        var acks: [(deliveryTag: UInt64, multiple: Bool)] = []
        if let top = run.last { acks.append((top, run.count > 1)) }
        for tag in sorted.dropFirst(run.count) { acks.append((tag, false)) }
        for tag in sorted { unsettled.remove(tag) }
        return acks
    }
}
