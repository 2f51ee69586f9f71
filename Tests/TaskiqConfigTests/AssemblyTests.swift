import Foundation
import TaskiqExamples
import TaskiqRedis
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqConfig

@Suite struct AssemblyTests {
    static func exampleSystem() throws -> TaskiqSystem {
        try TaskiqSystem.load(TestPaths.example("taskiq.json"), modules: Fixtures.modules, environment: [:])
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
        let id = try await system.kick(
            "examples.echo", kwargs: ["value": ["x": [1, "two"]]], labels: ["priority": 3],
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
        #expect(
            system.tasks.map(\.name) == [
                "examples.add", "examples.crash_once", "examples.echo", "examples.fail",
                "examples.fib", "examples.heartbeat", "examples.relay", "examples.sleep",
                "examples.visits",
            ])
        #expect(system.tasks.first?.signature == "examples.add(a: Int, b: Int) -> Int")
    }

    @Test func theDeadLettersSectionGivesEveryBrokerOneQueue() async throws {
        let directory = try TemporaryConfigDirectory()
        try directory.write(
            "dl.json",
            """
            {"broker": {"type": "inmemory"}, "brokers": {"other": {"type": "inmemory"}},
             "middlewares": [{"type": "simple_retry", "default_retry_count": 1}],
             "dead_letters": {"type": "file", "path": "\(directory.path("dead.jsonl"))", "failed_tasks": "all"}}
            """)
        let system = try TaskiqSystem.load(directory.path("dl.json"), modules: Fixtures.modules, environment: [:])
        let queue = try #require(system.deadLetterQueue as? FileDeadLetterQueue)
        #expect(system.brokers.allSatisfy { $0.components.deadLetterQueue as? FileDeadLetterQueue === queue })
        #expect(system.brokers.allSatisfy { $0.components.deadLetterPolicy == .all })
        #expect(system.receiverOptions(broker: "other").brokerName == "other")
        #expect(system.resolvedConfiguration.objectValue?["dead_letters"]?.objectValue?["failed_tasks"] == "all")
        // A failing task goes to the file under "all".
        try await system.startup()
        let id = try await system.kick("examples.fail")
        _ = try await system.waitResult(id, timeout: .seconds(10))
        try await system.shutdown()
        let letters = try await FileDeadLetterQueue(path: directory.path("dead.jsonl")).list(limit: nil)
        #expect(letters.map(\.taskID) == [id])
        #expect(letters.first?.error?.message.contains("always fails") == true)
    }

    @Test func withoutTheSectionOnlyRedisStreamBrokersKeepDeadLetters() throws {
        let directory = try TemporaryConfigDirectory(files: [
            "dl.json": """
            {"broker": {"type": "redis_stream", "queue_name": "jobs"}, "brokers": {"local": {"type": "inmemory"}}}
            """
        ])
        let system = try TaskiqSystem.load(directory.path("dl.json"), modules: Fixtures.modules, environment: [:])
        #expect(system.deadLetterQueue == nil)
        #expect((system.broker.components.deadLetterQueue as? RedisStreamDeadLetterQueue)?.stream == "jobs:dead")
        #expect(system.broker(named: "local")?.components.deadLetterQueue == nil)
    }

    @Test func workerLimitsReachTheReceiverAndTheInMemoryBroker() async throws {
        let directory = try TemporaryConfigDirectory(files: [
            "taskiq.json": """
            {"broker": {"type": "inmemory", "await_inplace": true}, "tasks": {"modules": ["examples"]},
             "worker": {"limits": {"max_message_size": 4096, "max_depth": 5, "max_arguments": 3, "max_labels": 4,
                                   "max_label_key_size": 16, "max_label_value_size": 32}}}
            """
        ])
        let system = try TaskiqSystem.load(directory.path("taskiq.json"), modules: Fixtures.modules, environment: [:])
        let expected = MessageLimits(
            maxMessageSize: 4096, maxDepth: 5, maxArguments: 3, maxLabels: 4,
            maxLabelKeySize: 16, maxLabelValueSize: 32)
        #expect(system.receiverOptions.limits == expected)
        #expect(system.configuration.worker.limits == expected)
        guard case .object(let resolved) = system.resolvedConfiguration, case .object(let worker)? = resolved["worker"],
            case .object(let limits)? = worker["limits"]
        else {
            Issue.record("no worker.limits in check output")
            return
        }
        #expect(limits["max_depth"] == 5)
        #expect(worker["log_file"] == .null)
        try await system.startup()
        // Message object, args, and [[[1]]]: 5 levels is the cap; [[[[1]]]] is 6.
        let ok = try await system.kick("examples.echo", args: [[[[1]]]])
        #expect(try await system.waitResult(ok, timeout: .seconds(5)).returnValue == [[[1]]])
        _ = try await system.kick("examples.echo", args: [[[[[1]]]]])
        let broker = try #require(system.broker as? InMemoryBroker)
        #expect(broker.statistics.limitRejections == [.depth: 1])
        try await system.shutdown()
    }

    @Test func workerSettingsReachEveryBrokersWorker() throws {
        let directory = try TemporaryConfigDirectory(files: [
            "taskiq.json": """
            {"broker": {"type": "redis_stream"},
             "brokers": {"fast": {"type": "zeromq", "pattern": "push_pull"}, "local": {"type": "inmemory"}},
             "worker": {"cast_types": false, "sync_tasks_pool_size": 7, "logs_format": "%(levelname)s %(message)s"}}
            """
        ])
        let system = try TaskiqSystem.load(directory.path("taskiq.json"), modules: Fixtures.modules, environment: [:])
        for name in ["default", "fast", "local"] {
            let options = system.receiverOptions(broker: name)
            #expect(options.castTypes == false, "\(name)")
            #expect(options.syncTasksPoolSize == 7, "\(name)")
            #expect(options.logsFormat == "%(levelname)s %(message)s", "\(name)")
        }
        let local = try #require(system.broker(named: "local") as? InMemoryBroker)
        let embedded = try #require(local.embeddedReceiver?.options)
        #expect(embedded.castTypes == false)
        #expect(embedded.syncTasksPoolSize == 7)
        #expect(embedded.logsFormat == "%(levelname)s %(message)s")
        #expect(embedded.maxAsyncTasks == 0)
        let worker = try #require(system.resolvedConfiguration.objectValue?["worker"]?.objectValue)
        #expect(worker["cast_types"] == false)
        #expect(worker["sync_tasks_pool_size"] == 7)
        #expect(worker["logs_format"] == "%(levelname)s %(message)s")
    }

    /// Every config file the repository ships (examples, the benchmark's) loads and assembles:
    /// a moved or renamed key must be moved in them too, not found by a user or by bench/compare.sh.
    static let shippedConfigs: [String] = ["examples", "bench/configs"].flatMap { folder in
        let names =
            (try? FileManager.default.contentsOfDirectory(
                atPath: TestPaths.packageRoot.appendingPathComponent(folder).path)) ?? []
        return names.filter { $0.hasSuffix(".json") && !$0.hasSuffix(".schema.json") }.sorted().map { "\(folder)/\($0)" }
    }

    @Test func theShippedConfigsAreFound() {
        #expect(Self.shippedConfigs.count >= 8, "\(Self.shippedConfigs)")
    }

    @Test(arguments: shippedConfigs)
    func everyShippedConfigAssembles(_ file: String) throws {
        let path = TestPaths.packageRoot.appendingPathComponent(file).path
        _ = try TaskiqSystem.load(path, modules: Fixtures.modules, environment: ["REDIS_URL": "redis://127.0.0.1:6379"])
    }

    @Test func theExampleKeepsTheResultLimitItWrites() throws {
        // examples/taskiq.json once set the broker's max_stored_results (100) beside the result
        // backend's (1000), and assembly dropped the broker's without a word; now the file names
        // one limit, and that is the one in force.
        let system = try Self.exampleSystem()
        #expect(system.configuration.document.root["broker"]?.objectValue?["max_stored_results"] == nil)
        #expect((system.broker.resultBackend as? InMemoryResultBackend)?.maxStoredResults == 1000)
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
    func kickArgumentsParseAsJSONOrFallBackToStrings(text: String, value: JSONValue) throws {
        #expect(try KickCommand.argumentValue(text) == value)
    }

    /// JSON too deep for the parser is still JSON: sent as a string it would run the task with
    /// another value, so `kick` refuses it, naming where it was going (it used to become a string).
    @Test func kickRefusesArgumentsNestedPastTheParsersDepth() throws {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        let atLimit = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(try KickCommand.argumentValue(atLimit) != .string(atLimit))
        #expect(try KickCommand.argumentValue("[1,") == .string("[1,"))  // not JSON: a string, as before
        let cases: [([PositionalValue], String)] = [
            ([PositionalValue("1"), PositionalValue(deep)], "args[1]"),
            ([PositionalValue("value=" + deep)], "kwargs.value"),
        ]
        for (arguments, path) in cases {
            #expect {
                _ = try KickCommand.taskArguments(arguments)
            } throws: { error in
                guard let error = error as? CommandLineError else { return false }
                return error.code == .invalidValue && error.message.contains("\(path): JSON nested deeper than 512 levels")
                    && TaskiqRunner.exitStatus(for: error) == 2
            }
        }
        var command = KickCommand()
        command.labels = ["deep=" + deep]
        #expect {
            _ = try command.labelObject()
        } throws: { error in
            (error as? CommandLineError)?.message.contains("labels.deep: JSON nested deeper") == true
        }
    }

    /// `kick --wait` never prints a non-finite result as `null` (another value).
    @Test(arguments: [
        (JSONValue.double(.infinity), "Infinity"), (.double(-.infinity), "-Infinity"), (.double(.nan), "NaN"),
        (JSONValue.object(["a": [1, 2.5, "é"]]), #"{"a":[1,2.5,"é"]}"#), (.double(-0.0), "-0.0"), (.null, "null"),
    ])
    func kickPrintsResultsWithoutLosingNonFiniteNumbers(value: JSONValue, printed: String) {
        #expect(KickCommand.printedResult(value) == printed)
    }
}
