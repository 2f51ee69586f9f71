import Testing
import Taskiq
@testable import TaskiqConfig
import TaskiqExamples

@Suite struct AssemblyTests {
    static func exampleSystem() throws -> TaskiqSystem {
        try TaskiqSystem.load(Fixtures.example("taskiq.json"), modules: Fixtures.modules, environment: [:])
    }

    @Test func theExampleConfigRunsAddInProcess() async throws {
        let system = try Self.exampleSystem()
        try await system.startup()
        let id = try await system.kick("examples.add", args: [1, 2])
        let result = try await system.waitResult(id, timeout: .seconds(10))
        try await system.shutdown()
        #expect(!result.isErr)
        #expect(result.returnValue == 3)
    }

    @Test func kwargsLabelsAndTaskIDReachTheTask() async throws {
        let system = try Self.exampleSystem()
        try await system.startup()
        let id = try await system.kick("examples.echo", kwargs: ["value": ["x": [1, "two"]]], labels: ["priority": 3],
                                       taskID: "fixed-id")
        #expect(id == "fixed-id")
        let result = try await system.waitResult(id, timeout: .seconds(10))
        try await system.shutdown()
        #expect(result.returnValue == ["x": [1, "two"]])
        #expect(result.labels["priority"] == 3)
    }

    @Test func anOverflowingAddIsAnErrorResultNotATrap() async throws {
        let system = try Self.exampleSystem()
        try await system.startup()
        let id = try await system.kick("examples.add", args: [.int(Int.max), 1])
        let result = try await system.waitResult(id, timeout: .seconds(10))
        try await system.shutdown()
        #expect(result.isErr)
        #expect(result.error?.message.contains("overflows Int") == true)
    }

    @Test func aFailingTaskStoresItsError() async throws {
        let system = try Self.exampleSystem()
        try await system.startup()
        let result = try await system.waitResult(try await system.kick("examples.fail"), timeout: .seconds(10))
        try await system.shutdown()
        #expect(result.isErr)
        #expect(result.error?.message.contains("always fails") == true)
    }

    @Test func assemblyInstallsConfiguredComponents() throws {
        let system = try Self.exampleSystem()
        #expect(system.modules.map(\.name) == ["examples"])
        #expect(system.broker.middlewares.count == 1)
        #expect(system.broker.resultBackend is InMemoryResultBackend)
        #expect((system.broker.resultBackend as? InMemoryResultBackend)?.maxStoredResults == 1000)
        #expect(system.isProcessLocal)
        #expect(system.receiverOptions.maxAsyncTasks == 100)
        #expect(system.receiverOptions.syncTasksPoolSize == 4)
        #expect(system.tasks.map(\.name) == ["examples.add", "examples.echo", "examples.fail", "examples.fib",
                                              "examples.heartbeat", "examples.sleep"])
        #expect(system.tasks.first?.signature == "examples.add(a: Int, b: Int) -> Int")
    }

    @Test func anUnknownTaskSuggestsTheClosestName() async throws {
        let system = try Self.exampleSystem()
        await #expect(throws: ConfigError.self) { try await system.kick("examples.ad") }
        do {
            _ = try await system.kick("examples.ad")
        } catch let error as ConfigError {
            #expect(error.code == .unknownTask)
            #expect(error.message.contains("did you mean 'examples.add'?"))
        }
    }

    static let kickArguments: [(String, JSONValue)] = [
        ("1", 1), ("\"x\"", "x"), ("hello", "hello"), ("[1,2]", [1, 2]),
        ("{\"a\":null}", ["a": nil]), ("-2.5", -2.5), ("true", true),
    ]

    @Test(arguments: kickArguments)
    func kickArgumentsParseAsJSONOrFallBackToStrings(text: String, value: JSONValue) {
        #expect(TaskiqRunner.argumentValue(text) == value)
    }
}
