import Foundation
import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq

/// The receiver routes undecodable messages, unknown tasks and finally failed tasks to the
/// broker's dead-letter queue, with the bytes as delivered, before acknowledging them.
@Suite struct ReceiverDeadLetterTests {
    static let garbage: [UInt8] = [0xFF, 0x00, 0x13, 0x7B]
    static let unknown = #"{"task_id": "u1", "task_name": "missing.task", "labels": {}, "labels_types": {}, "args": [1], "kwargs": {}}"#
    static func ok(_ id: String) -> String {
        #"{"task_id": "\#(id)", "task_name": "add", "labels": {}, "labels_types": {}, "args": [2, 3], "kwargs": {}}"#
    }

    @Test func undecodableAndUnknownGoToTheQueueWithTheirBytesBeforeTheAck() async throws {
        let letters = InMemoryDeadLetterQueue()
        let storedAtAck = Mutex<[String: Int]>([:])
        try await ReceiverTests.withReceiver(
            ReceiverOptions(brokerName: "main"),
            onAck: { id in
                storedAtAck.withLock { $0[id] = letters.count }
            },
            register: { broker in
                _ = broker.task("add") { (a: Int, b: Int) async throws -> Int in a + b }
                broker.withDeadLetterQueue(letters)
            }
        ) { broker, receiver in
            broker.push(Self.garbage, id: "garbage")
            let acked = try await broker.acks.first(1)
            broker.push(Self.unknown, id: "unknown")
            let acked2 = try await broker.acks.first(1)
            #expect(acked + acked2 == ["garbage", "unknown"])
            #expect(storedAtAck.withLock { $0 } == ["garbage": 1, "unknown": 2], "each letter was stored before its ack")
            let stored = try await letters.list(order: .oldestFirst, limit: nil)
            #expect(stored.map(\.reason) == [.undecodable, .unknownTask])
            #expect(stored[0].data == Self.garbage)
            #expect(stored[0].message.hasPrefix("cannot parse message"))
            #expect(stored[0].taskName == nil)
            #expect(stored[1].data == Array(Self.unknown.utf8))
            #expect(stored[1].taskName == "missing.task" && stored[1].taskID == "u1")
            #expect(stored.allSatisfy { $0.broker == "main" })
            #expect(receiver.statistics.deadLettered == 2)
            #expect(receiver.statistics.undecodable == 1 && receiver.statistics.unknownTask == 1)
        }
    }

    @Test func aFileQueueInATemporaryDirectoryReceivesThemToo() async throws {
        let directory = try TemporaryDirectory()
        let letters = FileDeadLetterQueue(path: directory.file("dead.jsonl"))
        try await ReceiverTests.withReceiver(register: { broker in
            _ = broker.task("add") { (a: Int, b: Int) async throws -> Int in a + b }
            broker.withDeadLetterQueue(letters)
        }) { broker, _ in
            broker.push(Self.garbage, id: "garbage")
            broker.push(Self.unknown, id: "unknown")
            let acked = try await broker.acks.first(2)
            #expect(Set(acked) == ["garbage", "unknown"])
            let stored = try await FileDeadLetterQueue(path: directory.file("dead.jsonl")).list(order: .oldestFirst, limit: nil)
            #expect(Set(stored.map(\.data)) == [Self.garbage, Array(Self.unknown.utf8)])
        }
    }

    @Test func whenTheLetterCannotBeStoredTheDeliveryIsNotAcknowledged() async throws {
        let letters = FileDeadLetterQueue(path: "/nonexistent-taskiq-dir/dead.jsonl")
        let acked = Mutex<[String]>([])
        try await ReceiverTests.withReceiver(
            onAck: { id in acked.withLock { $0.append(id) } },
            register: { broker in
                _ = broker.task("add") { (a: Int, b: Int) async throws -> Int in a + b }
                broker.withDeadLetterQueue(letters)
            }
        ) { broker, receiver in
            broker.push(Self.garbage, id: "garbage")
            broker.push(Self.unknown, id: "unknown")
            try await eventually("both letters failed") { receiver.statistics.deadLetterFailures == 2 }
            // A later good message is still run and acknowledged: the receiver carries on.
            broker.push(Self.ok("ok"), id: "ok")
            #expect(try await broker.acks.first(1) == ["ok"])
            #expect(acked.withLock { $0 } == ["ok"], "neither rejected delivery was acknowledged")
            #expect(receiver.statistics.deadLettered == 0)
        }
    }

    @Test func withoutAQueueTheyAreAcknowledgedAsBefore() async throws {
        try await ReceiverTests.withReceiver(register: { broker in
            _ = broker.task("add") { (a: Int, b: Int) async throws -> Int in a + b }
        }) { broker, receiver in
            broker.push(Self.garbage, id: "garbage")
            broker.push(Self.unknown, id: "unknown")
            let acked = try await broker.acks.first(2)
            #expect(Set(acked) == ["garbage", "unknown"])
            #expect(receiver.statistics.deadLettered == 0)
        }
    }

    // MARK: Failed tasks

    /// Runs `flaky` (always fails with `ValueError`) once through a queue broker with the given
    /// middlewares and policy, and returns the letters and the acknowledged delivery IDs.
    static func runFailing(
        middlewares: [any TaskiqMiddleware], policy: DeadLetterPolicy = .exhausted,
        labels: String = #"{"retry_on_error": true, "max_retries": 2}"#,
        queue: any DeadLetterQueue = InMemoryDeadLetterQueue(),
        expectedAttempts: Int
    ) async throws -> (letters: [DeadLetter], acks: [String], statistics: ReceiverStatistics) {
        let attempts = EventStream<Void>()
        let acked = Mutex<[String]>([])
        var outcome: (letters: [DeadLetter], acks: [String], statistics: ReceiverStatistics) = ([], [], ReceiverStatistics())
        let result = Mutex(outcome)
        try await ReceiverTests.withReceiver(
            onAck: { id in acked.withLock { $0.append(id) } },
            register: { broker in
                _ = broker.task("flaky") { () async throws -> Int in
                    attempts.send(())
                    throw TaskError(name: "ValueError", arguments: ["always"], module: "builtins")
                }
                broker.addMiddlewares(middlewares)
                broker.withDeadLetterQueue(queue, failedTasks: policy)
            }
        ) { broker, receiver in
            broker.push(
                #"{"task_id": "f1", "task_name": "flaky", "labels": \#(labels), "labels_types": {}, "args": [], "kwargs": {}}"#,
                id: "first")
            _ = try await attempts.first(expectedAttempts)
            // Every attempt's delivery is acknowledged or left, and its result settled, before this returns.
            try await eventually("the last attempt finished") {
                receiver.statistics.failed == expectedAttempts
                    && receiver.statistics.deadLettered + receiver.statistics.deadLetterFailures + acked.withLock(\.count)
                        >= expectedAttempts
            }
            try await eventually("the result is stored") { try await broker.resultBackend.isResultReady("f1") }
            let letters = try await queue.list(order: .oldestFirst, limit: nil)
            result.withLock { $0 = (letters, acked.withLock { $0 }, receiver.statistics) }
        }
        outcome = result.withLock { $0 }
        return outcome
    }

    @Test func aTaskWhoseRetriesAreExhaustedIsDeadLetteredWithItsError() async throws {
        let outcome = try await Self.runFailing(middlewares: [SimpleRetryMiddleware()], expectedAttempts: 2)
        try #require(outcome.letters.count == 1, "\(outcome.letters)")
        let letter = outcome.letters[0]
        #expect(letter.reason == .retriesExhausted)
        #expect(letter.error?.name == "ValueError")
        #expect(letter.taskName == "flaky" && letter.taskID == "f1")
        let attempt = try JSONFormatter().loads(letter.data)
        #expect(attempt.labels["_retries"] == 1, "the bytes of the last attempt as delivered")
        #expect(outcome.acks.count == 2, "both attempts acknowledged")
    }

    @Test func anErrorTypeTheMiddlewareDoesNotRetryIsDeadLetteredAtOnce() async throws {
        let outcome = try await Self.runFailing(
            middlewares: [SmartRetryMiddleware(defaultDelay: 0, doNotRetryOn: ["ValueError"])],
            expectedAttempts: 1)
        #expect(outcome.letters.map(\.reason) == [.retriesExhausted])
        #expect(outcome.letters.first?.message.contains("not retried after ValueError") == true)
    }

    @Test func policiesDecideWhichFailuresAreDeadLettered() async throws {
        // No retry middleware: under the default policy nothing gave up, so nothing is dead-lettered.
        let plain = try await Self.runFailing(middlewares: [], expectedAttempts: 1)
        #expect(plain.letters.isEmpty)
        // "all" takes every failure that is not being retried.
        let all = try await Self.runFailing(middlewares: [], policy: .all, expectedAttempts: 1)
        #expect(all.letters.map(\.reason) == [.taskFailed])
        // A retried attempt is never a dead letter, even under "all".
        let retried = try await Self.runFailing(middlewares: [SimpleRetryMiddleware()], policy: .all, expectedAttempts: 2)
        #expect(retried.letters.count == 1)
        // Tasks that do not ask for retries are not "exhausted".
        let unlabelled = try await Self.runFailing(middlewares: [SimpleRetryMiddleware()], labels: "{}", expectedAttempts: 1)
        #expect(unlabelled.letters.isEmpty)
        let never = try await Self.runFailing(middlewares: [SimpleRetryMiddleware()], policy: .never, expectedAttempts: 2)
        #expect(never.letters.isEmpty)
    }

    @Test func aFailedTaskWhoseLetterCannotBeStoredIsNotAcknowledged() async throws {
        let outcome = try await Self.runFailing(
            middlewares: [SimpleRetryMiddleware()],
            queue: FileDeadLetterQueue(path: "/nonexistent-taskiq-dir/dead.jsonl"),
            expectedAttempts: 2)
        #expect(outcome.statistics.deadLetterFailures == 1)
        #expect(outcome.acks == ["first"], "the retried attempt was acknowledged, the final one left for redelivery")
    }
}
