import TaskiqRabbitMQ
import Testing

@Suite struct AMQPPublishConfirmsTests {
    @Test func tagsCountFromOneAndMultipleSettlesEveryTagUpToIt() {
        var confirms = AMQPPublishConfirms<String>()
        let tags = (1...5).map { confirms.register("p\($0)", messageID: nil) }
        #expect(tags == [1, 2, 3, 4, 5])
        #expect(confirms.settle(deliveryTag: 2, multiple: false, acked: true).map(\.waiter) == ["p2"])
        #expect(confirms.settle(deliveryTag: 4, multiple: true, acked: true).map(\.waiter) == ["p1", "p3", "p4"])
        let nacked = confirms.settle(deliveryTag: 5, multiple: false, acked: false)
        #expect(nacked.map(\.waiter) == ["p5"])
        if case .nacked = nacked[0].outcome {} else { Issue.record("expected nacked") }
        #expect(confirms.outstanding == 0)
        #expect(confirms.settle(deliveryTag: 9, multiple: true, acked: true).isEmpty)
    }

    @Test func returnedPublishIsReportedAtItsAck() {
        var confirms = AMQPPublishConfirms<Int>()
        _ = confirms.register(1, messageID: "a")
        _ = confirms.register(2, messageID: "b")
        let matched = confirms.markReturned(messageID: "b", reason: AMQPCloseReason(replyCode: 312, replyText: "NO_ROUTE"))
        let unmatched = confirms.markReturned(messageID: "zzz", reason: AMQPCloseReason(replyCode: 312, replyText: "NO_ROUTE"))
        #expect(matched && !unmatched)
        let settled = confirms.settle(deliveryTag: 2, multiple: true, acked: true)
        #expect(settled.map(\.waiter) == [1, 2])
        if case .acked = settled[0].outcome {} else { Issue.record("1 should be acked") }
        if case .returned(let reason) = settled[1].outcome {
            #expect(reason.replyCode == 312)
        } else {
            Issue.record("2 should be returned")
        }
    }

    @Test func aMultipleAckBeyondTheLastTagSettlesOnlyWhatWasPublished() {
        var confirms = AMQPPublishConfirms<Int>()
        for index in 1...3 { _ = confirms.register(index, messageID: nil) }
        #expect(confirms.settle(deliveryTag: 2, multiple: false, acked: true).map(\.waiter) == [2])
        #expect(confirms.settle(deliveryTag: .max, multiple: true, acked: true).map(\.waiter) == [1, 3])
        _ = confirms.register(4, messageID: nil)
        #expect(confirms.settle(deliveryTag: 4, multiple: true, acked: true).map(\.waiter) == [4])
        #expect(confirms.outstanding == 0)
    }
}
