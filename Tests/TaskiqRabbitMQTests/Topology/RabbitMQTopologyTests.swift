import TaskiqRabbitMQ
import Testing

@Suite struct RabbitMQTopologyTests {
    /// The default topology's declares are the frames aio-pika sent, byte for byte.
    @Test func defaultDeclaresAreTheCapturedFrames() {
        let frames = RabbitMQTopology().declarations().map { AMQPFrame.method(channel: 1, $0).encoded }
        let captured = ["Exchange.Declare taskiq", "Queue.Declare taskiq.dead_letter", "Queue.Declare taskiq", "Queue.Bind taskiq"]
            .map { name in capturedFrames.first { $0.name == name }!.bytes }
        #expect(frames == captured)
    }

    @Test func classicPriorityQueueArgumentsAreSortedWithAnInt8Priority() {
        let topology = RabbitMQTopology()
        let arguments = topology.arguments(for: RabbitMQQueue(name: "prio", kind: .classic, maxPriority: 10))
        #expect(arguments.entries.map(\.key) == ["x-dead-letter-exchange", "x-dead-letter-routing-key", "x-max-priority", "x-queue-type"])
        #expect(arguments["x-max-priority"] == .int8(10))
        #expect(arguments["x-queue-type"] == .string("classic"))
    }

    @Test func delayQueueDeadLettersIntoTheTaskExchange() {
        let topology = RabbitMQTopology(delayQueue: "taskiq.delay")
        #expect(
            topology.delayArguments == [
                "x-dead-letter-exchange": .string("taskiq"), "x-dead-letter-routing-key": .string("taskiq"),
                "x-queue-type": .string("quorum"),
            ])
        let names = topology.declarations().compactMap { method -> String? in
            if case .queueDeclare(let queue, _, _, _, _, _, _) = method { queue } else { nil }
        }
        #expect(names == ["taskiq.dead_letter", "taskiq", "taskiq.delay"])
    }

    @Test func passiveDeclaresOnlyCheckExistence() {
        for method in RabbitMQTopology().declarations(passive: true) {
            switch method {
            case .exchangeDeclare(_, _, let passive, _, _, _, _, _), .queueDeclare(_, let passive, _, _, _, _, _): #expect(passive)
            default: Issue.record("a passive declare sent \(method.name)")
            }
        }
    }
}
