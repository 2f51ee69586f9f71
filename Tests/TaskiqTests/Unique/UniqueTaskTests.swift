import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq

/// `unique_for`: a kick of the same task and arguments (or `unique_key`) inside the window
/// sends nothing and returns the first kick's handle; `refuse` throws instead.
@Suite struct UniqueTaskTests {
    @Test func fiftyConcurrentKicksRunOneTaskAndShareItsHandle() async throws {
        let broker = InMemoryBroker()
        let runs = Atomic<Int>(0)
        let task = broker.task("report") { (day: String) async throws -> Int in
            runs.add(1, ordering: .relaxed)
            return 42
        }
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<50 {
                group.addTask { try await task.kicker().withUnique(for: .seconds(60)).kiq("2026-12-06").taskID }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(ids.count == 50)
        #expect(Set(ids).count == 1, "every handle points to the first task")
        let result = try await TaskHandle<Int>(taskID: ids[0], broker: broker).waitResult(timeout: .seconds(30))
        #expect(result.returnValue == 42)
        await broker.waitAll()
        #expect(runs.load(ordering: .relaxed) == 1)
        try await broker.shutdown()
    }

    @Test func otherArgumentsAndExpiredWindowsMakeNewTasks() async throws {
        let broker = InMemoryBroker()
        let task = broker.task("f") { (n: Int) async throws -> Int in n }
        let first = try await task.kicker().withUnique(for: .milliseconds(300)).kiq(1)
        let other = try await task.kicker().withUnique(for: .milliseconds(300)).kiq(2)
        #expect(first.taskID != other.taskID)
        try await eventually("the window ends") {
            try await task.kicker().withUnique(for: .milliseconds(300)).kiq(1).taskID != first.taskID
        }
        try await broker.shutdown()
    }

    @Test func aUniqueKeyReplacesTheArgumentsAndRefuseThrows() async throws {
        let broker = InMemoryBroker()
        let task = broker.task("g") { (n: Int) async throws -> Int in n }
        let first = try await task.kicker().withUnique(for: .seconds(60), key: "tenant-1").kiq(1)
        let merged = try await task.kicker().withUnique(for: .seconds(60), key: "tenant-1").kiq(2)
        #expect(merged.taskID == first.taskID)
        await #expect {
            try await task.kicker().withUnique(for: .seconds(60), key: "tenant-1", refuseDuplicates: true).kiq(3)
        } throws: { error in
            guard let error = error as? TaskiqError else { return false }
            return error.code == .duplicateTask && error.message.contains(first.taskID)
        }
        try await broker.shutdown()
    }

    @Test func keywordOrderDoesNotMatter() async throws {
        let broker = InMemoryBroker()
        _ = broker.task("h", parameters: ["a", "b"]) { (a: Int, b: [String: Int]) async throws -> Int in a }
        let labels: JSONObject = ["unique_for": 60]
        let one = try await broker.send(
            TaskiqMessage(
                taskID: "one", taskName: "h", labels: labels,
                kwargs: ["a": 1, "b": .object(["x": 1, "y": 2])]))
        let two = try await broker.send(
            TaskiqMessage(
                taskID: "two", taskName: "h", labels: labels,
                kwargs: ["b": .object(["y": 2, "x": 1]), "a": 1]))
        #expect(one == "one")
        #expect(two == "one")
        try await broker.shutdown()
    }

    @Test(arguments: [JSONValue.string("abc"), -1, 0, .double(.infinity), 1e300])
    func unreadableWindowsAreRefused(window: JSONValue) async throws {
        let broker = InMemoryBroker()
        _ = broker.task("k") { () async throws -> Void in }
        await #expect {
            try await broker.send(TaskiqMessage(taskID: "x", taskName: "k", labels: ["unique_for": window]))
        } throws: { error in
            (error as? TaskiqError)?.code == .invalidArguments
        }
        try await broker.shutdown()
    }
}
