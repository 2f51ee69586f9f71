import TaskiqRabbitMQ
import Testing

/// Acks held until the next write: one `multiple` ack where it settles nothing else.
@Suite struct AMQPAckCoalescerTests {
    static func coalescer(delivered tags: ClosedRange<UInt64>) -> AMQPAckCoalescer {
        var coalescer = AMQPAckCoalescer()
        for tag in tags { coalescer.delivered(tag, consumer: "c") }
        return coalescer
    }

    static func drained(_ coalescer: inout AMQPAckCoalescer) -> [String] {
        coalescer.drain().map { "\($0.deliveryTag)\($0.multiple ? "+" : "")" }
    }

    @Test func acksQueuedTogetherBecomeOneMultipleAck() {
        var coalescer = Self.coalescer(delivered: 1...5)
        for tag in [3, 1, 2] as [UInt64] { coalescer.queue(tag) }
        #expect(Self.drained(&coalescer) == ["3+"])
        #expect(coalescer.unsettledCount == 2 && !coalescer.hasQueued)
        for tag in [5, 4] as [UInt64] { coalescer.queue(tag) }
        #expect(Self.drained(&coalescer) == ["5+"])
        #expect(coalescer.unsettledCount == 0)
    }

    @Test func aDeliveryStillRunningIsNeverCoveredAndLaterAcksGoAlone() {
        var coalescer = Self.coalescer(delivered: 1...6)
        // 3 still runs: 1 and 2 go as one, 4 and 6 alone.
        for tag in [1, 2, 4, 6] as [UInt64] { coalescer.queue(tag) }
        #expect(Self.drained(&coalescer) == ["2+", "4", "6"])
        coalescer.queue(3)
        coalescer.queue(5)
        #expect(Self.drained(&coalescer) == ["5+"], "3 and 5 are all that is left below 6's settled tag")
        #expect(coalescer.unsettledCount == 0)
    }

    @Test func aNackedDeliveryIsNotAckedByAMultipleAck() {
        var coalescer = Self.coalescer(delivered: 1...4)
        coalescer.queue(1)
        coalescer.queue(2)
        coalescer.queue(4)
        // 3 was rejected in this write's place before the acks: it is settled, so 4 may join.
        coalescer.settled(3, multiple: false)
        #expect(Self.drained(&coalescer) == ["4+"])
        var waiting = Self.coalescer(delivered: 1...4)
        waiting.queue(1)
        waiting.queue(4)
        #expect(Self.drained(&waiting) == ["1", "4"], "2 and 3 unsettled: a multiple ack at 4 would settle them")
    }

    @Test func aLoneAckIsPlainAndAnUnknownTagGoesAloneForTheServerToJudge() {
        var coalescer = Self.coalescer(delivered: 1...2)
        coalescer.queue(1)
        #expect(Self.drained(&coalescer) == ["1"])
        coalescer.queue(99)
        coalescer.queue(2)
        #expect(Self.drained(&coalescer) == ["2", "99"])
        coalescer.queue(2)
        coalescer.queue(2)
        #expect(Self.drained(&coalescer) == ["2"], "a tag queued twice is sent once")
    }

    @Test func aMultipleSettleForgetsEverythingUpToIt() {
        var coalescer = Self.coalescer(delivered: 1...10)
        coalescer.settled(7, multiple: true)
        #expect(coalescer.unsettledCount == 3)
        coalescer.queue(9)
        coalescer.queue(8)
        #expect(Self.drained(&coalescer) == ["9+"])
        #expect(coalescer.unsettledCount == 1)
    }

    @Test func deliveriesToANoAckConsumerAreNotKept() {
        var coalescer = AMQPAckCoalescer()
        coalescer.consumerStarted("auto", noAck: true)
        coalescer.consumerStarted("manual", noAck: false)
        for tag in 1...1000 as ClosedRange<UInt64> { coalescer.delivered(tag, consumer: "auto") }
        coalescer.delivered(1001, consumer: "manual")
        #expect(coalescer.unsettledCount == 1, "the server settled the no-ack deliveries itself")
        coalescer.queue(1001)
        #expect(Self.drained(&coalescer) == ["1001"])
    }

    @Test func unsettledDeliveriesAreBoundedByWhatIsInFlight() {
        var coalescer = AMQPAckCoalescer()
        // A delivery that runs for ever while a million others come and go: nothing piles up.
        coalescer.delivered(1, consumer: "c")
        for tag in 2...1_000_000 as ClosedRange<UInt64> {
            coalescer.delivered(tag, consumer: "c")
            coalescer.queue(tag)
            if tag % 100 == 0 { _ = coalescer.drain() }
        }
        _ = coalescer.drain()
        #expect(coalescer.unsettledCount == 1)
    }
}
