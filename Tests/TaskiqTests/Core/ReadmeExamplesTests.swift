import Testing

@testable import Taskiq

/// The examples of taskiq's README and of the API sketch, written in Swift.
@Suite struct ReadmeExamplesTests {
    @Test func addOneWithTheInMemoryBroker() async throws {
        let broker = InMemoryBroker()
        let addOne = broker.task { (value: Int) async throws -> Int in value + 1 }
        try await broker.startup()
        let task = try await addOne.kiq(1)
        let result = try await task.waitResult(timeout: .seconds(5))
        #expect(!result.isErr)
        #expect(result.returnValue == 2)
        #expect(result.executionTime >= 0)
        try await broker.shutdown()
    }

    @Test func namedTaskWithTwoArguments() async throws {
        let broker = InMemoryBroker()
        let add = broker.task("math.add") { (a: Int, b: Int) async throws -> Int in a + b }
        let handle = try await add.kiq(1, 2)
        let result = try await handle.waitResult(timeout: .seconds(5))
        #expect(result.returnValue == 3)
        #expect(try result.get() == 3)
        #expect(result.error == nil)
        #expect(result.log == nil)
        #expect(add.name == "math.add")
    }

    @Test func taskLabelsReachTheWorker() async throws {
        let broker = InMemoryBroker()
        let hello = broker.task("demo.hello", labels: ["my_label": 1, "label2": "something"]) { () async in
            print("Hello")
        }
        let result = try await hello.kiq().waitResult(timeout: .seconds(5))
        #expect(!result.isErr)
        #expect(result.labels == ["my_label": 1, "label2": "something"])
    }

    @Test func kickerOverridesLabelsBrokerAndTaskID() async throws {
        let first = InMemoryBroker()
        let second = InMemoryBroker()
        let add = first.task("math.add", labels: ["priority": 1]) { (a: Int, b: Int) async throws -> Int in a + b }
        second.register(TaskDefinition("math.add") { (a: Int, b: Int) async throws -> Int in a * 100 + b })
        let handle = try await add.kicker().withLabels(["priority": 5]).withBroker(second).withTaskID("my-id").kiq(1, 2)
        #expect(handle.taskID == "my-id")
        let result = try await handle.waitResult(timeout: .seconds(5))
        #expect(result.returnValue == 102, "the second broker's task ran")
        #expect(result.labels["priority"] == 5)
        #expect(try await first.resultBackend.isResultReady("my-id") == false)
    }

    @Test func retryMiddlewareFromTheReadme() async throws {
        let broker = InMemoryBroker()
        broker.addMiddlewares([SimpleRetryMiddleware(defaultRetryCount: 4)])
        let attempts = Recorder()
        let flaky = broker.task("flaky", labels: ["retry_on_error": true]) { () async throws -> String in
            attempts.record("attempt")
            if attempts.all.count < 3 { throw TaskError(name: "ValueError", arguments: ["not yet"]) }
            return "done"
        }
        let result = try await flaky.kiq().waitResult(timeout: .seconds(5))
        #expect(result.returnValue == "done")
        #expect(attempts.all.count == 3)
    }

    @Test func defaultNamesAreStable() {
        let broker = InMemoryBroker()
        let local = broker.task { (x: Int) async throws -> Int in x }
        #expect(local.name == "TaskiqTests.ReadmeExamplesTests:\(#line - 1)")
        #expect(StaticTasks.double.name == "TaskiqTests.ReadmeExamplesTests:\(StaticTasks.line)")
        #expect(DefaultTaskName.make(fileID: "App/Jobs/Mail.swift", line: 12) == "App.Jobs.Mail:12")
    }

    @Test func voidAndSynchronousTasks() async throws {
        let broker = InMemoryBroker()
        let fib = broker.task("fib") { (n: Int) throws -> Int in
            var (a, b) = (0, 1)
            for _ in 0..<n { (a, b) = (b, a + b) }
            return a
        }
        let noop = broker.task("noop") { (_: String) throws in }
        #expect(try await fib.kiq(10).waitResult(timeout: .seconds(5)).returnValue == 55)
        let void = try await noop.kiq("x").waitResult(timeout: .seconds(5))
        #expect(!void.isErr)
    }
}

enum StaticTasks {
    static let line = #line + 1
    static let double = TaskDefinition { (x: Int) async throws -> Int in x * 2 }
}
