import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq

/// Brokers that deliver in arrival order warn once about a `priority` label and still run the task.
@Suite struct UnhonouredPriorityTests {
    @Test func onlyAPriorityAboveZeroWarnsAndOnlyOnce() {
        let warning = UnhonouredPriority(broker: "zeromq")
        let message = { (labels: [String: JSONValue]) in BrokerMessage(taskID: "t", taskName: "n", message: [], labels: labels) }
        warning.note(message([:]))
        warning.note(message(["priority": 0]))
        warning.note(message(["priority": "0"]))
        #expect(!warning.hasWarned)
        warning.note(message(["priority": 5]))
        #expect(warning.hasWarned)
        warning.note(message(["priority": "high"]))
        #expect(warning.hasWarned)
    }

    @Test func theInMemoryBrokerRunsPrioritisedTasksInArrivalOrder() async throws {
        let broker = InMemoryBroker(maxAsyncTasks: 1)
        let order = Mutex<[Int]>([])
        let job = broker.task("job") { (index: Int) async throws -> Int in
            order.withLock { $0.append(index) }
            return index
        }
        for index in 0..<5 {
            _ = try await job.kicker().withLabels(["priority": .int(index)]).kiq(index)
        }
        await broker.waitAll()
        #expect(order.withLock { $0 } == [0, 1, 2, 3, 4], "not refused; arrival order")
    }
}
