import Taskiq
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig

/// Task modules made afresh for each test: a definition's binding is shared by all its copies,
/// so tests that bind the same definitions in parallel would steal each other's brokers.
struct RoutingModules {
    let add = TaskDefinition("math.add", parameters: ["a", "b"]) { (a: Int, b: Int) async throws -> Int in a + b }
    let invoice = TaskDefinition("billing.invoice", parameters: ["order"]) { (order: Int) async throws -> String in
        "invoice-\(order)"
    }
    let report = TaskDefinition("billing.report") { () async throws -> String in "report" }

    var math: TaskModule { TaskModule("math", tasks: [add]) }
    var invoices: TaskModule { TaskModule("billing.invoices", tasks: [invoice]) }
    var reports: TaskModule { TaskModule("billing.reports", tasks: [report]) }
    var all: [TaskModule] { [math, invoices, reports] }
}

@Suite struct RoutingTests {
    /// Two in-memory brokers, each with its own in-memory results, and billing routed to `fast`.
    static let twoBrokers = """
        {"broker": {"type": "inmemory"},
         "brokers": {"fast": {"type": "inmemory"}},
         "result_backend": {"type": "inmemory"},
         "middlewares": [{"type": "simple_retry"}],
         "tasks": {"routes": {"billing.*": "fast"}}}
        """

    static func load(_ json: String, modules: RoutingModules) throws -> TaskiqSystem {
        let directory = try TemporaryConfigDirectory(files: ["taskiq.json": json])
        return try TaskiqSystem.load(directory.path("taskiq.json"), modules: modules.all, environment: [:])
    }

    @Test func producerKicksTypedTasksThroughTheirRoutedBrokers() async throws {
        let tasks = RoutingModules()
        let system = try Self.load(Self.twoBrokers, modules: tasks)
        try await system.startup()
        let main = try #require(system.broker(named: "default") as? InMemoryBroker)
        let fast = try #require(system.broker(named: "fast") as? InMemoryBroker)

        let sum = try await tasks.add.kiq(1, 2)
        let invoice = try await tasks.invoice.kiq(42)
        #expect(try await sum.waitResult(timeout: .seconds(10)).returnValue == 3)
        #expect(try await invoice.waitResult(timeout: .seconds(10)).returnValue == "invoice-42")
        await main.waitAll()
        await fast.waitAll()

        #expect(main.statistics.succeeded == 1)
        #expect(fast.statistics.succeeded == 1)
        // Each broker stored its own task's result in its own backend.
        #expect(try await main.resultBackend.isResultReady(sum.taskID))
        #expect(try await !main.resultBackend.isResultReady(invoice.taskID))
        #expect(try await fast.resultBackend.isResultReady(invoice.taskID))
        try await system.shutdown()
    }

    @Test func modulesAreRegisteredAndBoundWhereTheirRouteSends() throws {
        let tasks = RoutingModules()
        let system = try Self.load(Self.twoBrokers, modules: tasks)
        let main = try #require(system.broker(named: "default"))
        let fast = try #require(system.broker(named: "fast"))
        #expect(system.brokerNames == ["default", "fast"])
        #expect(system.brokers.count == 2)
        #expect(system.broker === main)
        #expect(system.broker(named: "slow") == nil)
        #expect(tasks.add.broker === main)
        #expect(tasks.invoice.broker === fast)
        #expect(tasks.report.broker === fast)
        #expect(main.registeredTaskNames == ["math.add"])
        #expect(fast.registeredTaskNames == ["billing.invoice", "billing.report"])
        #expect(system.tasks.map { "\($0.name)@\($0.broker)" } == ["billing.invoice@fast", "billing.report@fast", "math.add@default"])
        #expect(system.broker(forTask: "billing.report") === fast)
        #expect(system.configuration.brokerName(forModule: "math") == "default")
        #expect(system.configuration.route(forModule: "billing.invoices")?.pattern == "billing.*")
    }

    @Test func eachBrokerGetsItsOwnInstancesOfTheSharedComponents() throws {
        let system = try Self.load(
            """
            {"broker": {"type": "inmemory"},
             "brokers": {"fast": {"type": "inmemory"}, "quiet": {"type": "inmemory", "result_backend": {"type": "dummy"}}},
             "result_backend": {"type": "inmemory", "max_stored_results": 7},
             "task_id_generator": "uuid4_dashed",
             "middlewares": [{"type": "simple_retry"}],
             "tasks": {"routes": {"billing.*": "fast"}}}
            """, modules: RoutingModules())
        let backends = system.brokers.map(\.resultBackend)
        #expect((backends[0] as? InMemoryResultBackend)?.maxStoredResults == 7)
        #expect((backends[1] as? InMemoryResultBackend)?.maxStoredResults == 7)
        #expect(backends[2] is DummyResultBackend)
        #expect((backends[0] as? InMemoryResultBackend) !== (backends[1] as? InMemoryResultBackend))
        for broker in system.brokers {
            #expect(broker.middlewares.count == 1)
            #expect(broker.components.idGenerator().count == 36)
        }
    }

    @Test func theFirstMatchingRouteWinsAndDefaultNamesTheMainBroker() throws {
        let tasks = RoutingModules()
        let system = try Self.load(
            """
            {"broker": {"type": "inmemory"}, "brokers": {"fast": {"type": "inmemory"}},
             "tasks": {"routes": {"billing.reports": "default", "billing.*": "fast"}}}
            """, modules: tasks)
        #expect(tasks.report.broker === system.broker)
        #expect(tasks.invoice.broker === system.broker(named: "fast"))
        #expect(system.configuration.routes.map(\.pattern) == ["billing.reports", "billing.*"])
    }

    @Test func kickByNameGoesThroughTheRoutedBrokerAndWaitsOnItsBackend() async throws {
        let system = try Self.load(Self.twoBrokers, modules: RoutingModules())
        try await system.startup()
        let id = try await system.kick("billing.invoice", args: [7])
        let result = try await system.waitResult(id, task: "billing.invoice", timeout: .seconds(10))
        #expect(result.returnValue == "invoice-7")
        try await system.shutdown()
    }

    @Test func startupAndShutdownReachEveryBroker() async throws {
        let tasks = RoutingModules()
        let system = try Self.load(Self.twoBrokers, modules: tasks)
        try await system.startup()
        try await system.shutdown()
        await #expect(throws: TaskiqError.self) { _ = try await tasks.invoice.kiq(1) }
        await #expect(throws: TaskiqError.self) { _ = try await tasks.add.kiq(1, 2) }
    }

    @Test func withoutBrokersEverythingGoesToTheMainBroker() throws {
        let tasks = RoutingModules()
        let system = try Self.load(#"{"broker": {"type": "inmemory"}}"#, modules: tasks)
        #expect(system.brokerNames == ["default"])
        #expect(tasks.invoice.broker === system.broker)
        #expect(system.tasks.allSatisfy { $0.broker == "default" })
    }

    @Test func theResolvedConfigurationShowsBrokersAndRoutes() throws {
        let system = try Self.load(
            """
            {"broker": {"type": "inmemory"},
             "brokers": {"fast": {"type": "inmemory", "result_backend": {"type": "dummy"}}},
             "tasks": {"routes": {"billing.*": "fast"}}}
            """, modules: RoutingModules())
        let resolved = try #require(system.resolvedConfiguration.objectValue)
        #expect(resolved["brokers"]?.objectValue?["fast"]?.objectValue?["result_backend"] == ["type": "dummy"])
        #expect(resolved["tasks"]?.objectValue?["routes"] == ["billing.*": "fast"])
    }

    @Test func checkAndTasksShowTheBrokerOfEachModule() throws {
        let system = try Self.load(Self.twoBrokers, modules: RoutingModules())
        let report = CheckCommand.report(system)
        #expect(
            report.contains(
                """
                tasks:
                  math (broker: default)
                    math.add(a: Int, b: Int) -> Int
                  billing.invoices (broker: fast, route "billing.*")
                    billing.invoice(order: Int) -> String
                  billing.reports (broker: fast, route "billing.*")
                    billing.report() -> String

                """))
        #expect(
            TasksCommand.listing(system).hasPrefix(
                """
                math (broker: default)
                  math.add(a: Int, b: Int) -> Int
                billing.invoices (broker: fast, route "billing.*")
                """))
    }

    @Test func workerOnAnUnknownBrokerExitsTwo() async throws {
        let directory = try TemporaryConfigDirectory(files: ["taskiq.json": Self.twoBrokers])
        let runner = TaskiqRunner(modules: RoutingModules().all)
        let status = await runner.run(["worker", "-c", directory.path("taskiq.json"), "--broker", "fsat"], environment: [:])
        #expect(status == 2)
    }

    @Test func workerBrokerDefaultsToTheMainOne() throws {
        let system = try Self.load(Self.twoBrokers, modules: RoutingModules())
        func listened(_ arguments: [String]) throws -> String {
            try WorkerCommand.parse(Array(arguments.dropFirst())).listenedBroker(in: system)
        }
        #expect(try listened(["worker"]) == "default")
        #expect(try listened(["worker", "--broker", "fast"]) == "fast")
        #expect(throws: CommandLineError.self) { try listened(["worker", "--broker", "fsat"]) }
        do {
            _ = try listened(["worker", "--broker", "fsat"])
        } catch let error as CommandLineError {
            #expect(error.code == .invalidValue)
            #expect(error.message.contains("did you mean 'fast'?"))
            #expect(error.message.contains("default, fast"))
        }
    }
}
