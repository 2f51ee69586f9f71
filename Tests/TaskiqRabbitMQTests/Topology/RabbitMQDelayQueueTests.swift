import Foundation
import Taskiq
import Testing

@testable import TaskiqRabbitMQ

/// The pure parts of the delays: the `delay` label's parsing, the delay queues' names and
/// arguments, the plugin header and the declaration cache.
struct RabbitMQDelayQueueTests {
    @Test(arguments: [
        (JSONValue.double(1.5), UInt32(1500)), (.int(10), 10_000), (.string(" 2.25 "), 2250), (.string("0"), 0),
        (.double(0.0004), 0), (.double(0.0005), 1), (.int(4_294_967), 4_294_967_000), (.double(4_294_967.295), UInt32.max),
    ])
    func delayLabelsBecomeWholeMilliseconds(_ label: JSONValue, _ expected: UInt32) throws {
        #expect(try RabbitMQDelayQueue.milliseconds(fromDelayLabel: label) == expected)
    }

    @Test func noDelayLabelIsNoDelay() throws {
        #expect(try RabbitMQDelayQueue.milliseconds(fromDelayLabel: nil) == nil)
        #expect(try RabbitMQDelayQueue.milliseconds(fromDelayLabel: .null) == nil)
    }

    @Test(arguments: [
        JSONValue.string("soon"), .double(-1), .double(.nan), .double(.infinity), .double(-.infinity), .int(-5),
        .double(4_294_967.296), .double(1e300), .int(.max), .string("nan"), .bool(true), .array([]), .object([:]),
    ])
    func badDelayLabelsAreClearErrorsNotTraps(_ label: JSONValue) {
        #expect {
            try RabbitMQDelayQueue.milliseconds(fromDelayLabel: label)
        } throws: { error in
            guard let error = error as? TaskiqError, error.code == .invalidArguments else { return false }
            return error.message.contains("delay")
        }
    }

    @Test func oneQueuePerRoutingKeyAndDelayWithTTLDeadLetteringAndExpiry() throws {
        let queue = try RabbitMQDelayQueue(prefix: "taskiq.delay", exchange: "taskiq", routingKey: "emails", milliseconds: 1500)
        #expect(queue.name == "taskiq.delay.emails.1500")
        #expect(
            queue.arguments == [
                "x-dead-letter-exchange": .string("taskiq"),
                "x-dead-letter-routing-key": .string("emails"),
                "x-expires": .int64(1500 + 86_400_000),
                "x-message-ttl": .int64(1500),
                "x-queue-type": .string("quorum"),
            ])
        let longest = try RabbitMQDelayQueue(prefix: "p", exchange: "x", routingKey: "k", milliseconds: .max)
        #expect(longest.arguments["x-expires"] == .int64(Int64(UInt32.max) + 86_400_000), "no overflow at the largest delay")
    }

    @Test func aDelayQueueNameOver255BytesIsAClearError() {
        #expect(throws: AMQPConnectionError.self) {
            try RabbitMQDelayQueue(prefix: String(repeating: "p", count: 250), exchange: "taskiq", routingKey: "taskiq", milliseconds: 1)
        }
    }

    @Test func pluginHeaderIsIntegerMillisecondsAmongSortedHeaders() {
        let headers = RabbitMQBroker.pluginHeaders(["task_name": .string("t"), "delay": .string("1.5")], milliseconds: 1500)
        #expect(headers == ["delay": .string("1.5"), "task_name": .string("t"), "x-delay": .int64(1500)])
    }

    @Test func theCacheDeclaresOncePerChannelAndAgainAfterAnHour() {
        final class Channel: Sendable {}
        let cache = RabbitMQDelayQueueCache()
        let (first, second) = (Channel(), Channel())
        let now = ContinuousClock.now
        #expect(cache.needsDeclaring("q", on: first, now: now))
        cache.didDeclare("q", on: first, now: now)
        #expect(!cache.needsDeclaring("q", on: first, now: now + .seconds(3599)))
        #expect(cache.needsDeclaring("q", on: first, now: now + .seconds(3600)), "publishing does not keep x-expires away")
        #expect(cache.needsDeclaring("q", on: second, now: now), "a new channel (a reconnect) declares again")
        cache.didDeclare("q", on: second, now: now)
        #expect(cache.needsDeclaring("other", on: second, now: now))
        cache.forget("q")
        #expect(cache.needsDeclaring("q", on: second, now: now))
    }
}
