import Foundation
import Synchronization
import Taskiq
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig

/// A user middleware that counts the messages it sees before sending.
final class CountingMiddleware: TaskiqMiddleware {
    let step: Int
    let count = Atomic<Int>(0)
    init(step: Int) { self.step = step }
    func preSend(_ message: TaskiqMessage) async throws -> TaskiqMessage {
        count.add(step, ordering: .relaxed)
        return message
    }
}

@Suite struct ComponentRegistryTests {
    /// A user's typed key, declared once and read back by the factory.
    static let step = Option<Int>.integer("step", default: 1, range: 1...10, description: "How much each message counts.")

    static var userRegistry: ComponentRegistry {
        var registry = ComponentRegistry.standard
        registry.register(middleware: "counting", summary: "Counts sent messages.", options: [step]) { options in
            CountingMiddleware(step: try options[step])
        }
        // Untyped declarations, as user code written before typed keys has them, still register.
        registry.register(
            resultBackend: "remote",
            options: [
                .string("url", default: nil, required: true, description: "Where results live."),
                .string("password", default: nil, description: "The password."),
            ]
        ) { _ in InMemoryResultBackend() }
        return registry
    }

    /// A user's option may declare a range as wide as it likes: reading and writing back its
    /// durations clamps instead of trapping (a trap kills the worker that loads the file).
    @Test func durationOptionsClampValuesAtTheEdgesInsteadOfTrapping() {
        let wide = Option<Duration>.seconds(
            "wait", default: .seconds(1), range: -.greatestFiniteMagnitude...(.greatestFiniteMagnitude),
            description: "Any number of seconds.")
        #expect(wide.decode(.double(1e300)) == .seconds(Duration.maximumCheckedSeconds))
        #expect(wide.decode(.double(-1e300)) == .seconds(-Duration.maximumCheckedSeconds))
        #expect(wide.decode(.double(2.0004)) == .milliseconds(2000))
        let block = Option<Duration>.milliseconds(
            "block", default: .milliseconds(2000), range: 0...Int.max,
            description: "Any number of milliseconds.")
        #expect(block.declaration.defaultValue == .int(2000))
        #expect(block.json(.milliseconds(Int.max)) == .int(Int.max))
        #expect(block.json(.seconds(Int64.max)) == .int(Int.max), "saturates instead of overflowing")
        #expect(block.json(.seconds(-Int64.max)) == .int(Int.min))
        #expect(block.json(.microseconds(2500)) == .int(2))
    }

    @Test func anOptionGroupListsItsKeysInDeclarationOrderWithNestedGroupsInPlace() {
        let names = ComponentRegistry.RedisListKeys().declarations.map(\.declaration.name)
        #expect(names == ["url", "queue_name", "block_timeout", "delay_poll_interval", "max_bulk_length", "max_aggregate_count"])
    }

    @Test func everyStandardTypeDeclaresEachOptionOnce() {
        for kind in ComponentKind.allCases {
            for type in ComponentRegistry.standard.types(of: kind) {
                let names = type.options.map(\.name)
                #expect(Set(names).count == names.count, "\(kind.rawValue) \(type.name): \(names)")
            }
        }
    }

    @Test func aUserMiddlewareIsUsableFromConfig() async throws {
        let directory = try TemporaryConfigDirectory(files: [
            "taskiq.json": """
            {"broker": {"type": "inmemory"}, "result_backend": {"type": "inmemory"},
             "middlewares": [{"type": "simple_retry"}, {"type": "counting", "step": "${STEP:-5}"}]}
            """
        ])
        let configuration = try TaskiqConfiguration.load(
            directory.path("taskiq.json"), registry: Self.userRegistry,
            modules: Fixtures.modules, environment: [:])
        let system = try TaskiqSystem(configuration: configuration, modules: Fixtures.modules)
        let middlewares = system.broker.middlewares
        #expect(middlewares.count == 2)
        #expect(middlewares[0] is SimpleRetryMiddleware)
        let counting = try #require(middlewares[1] as? CountingMiddleware)
        try await system.startup()
        let id = try await system.kick("examples.add", args: [2, 3])
        let result = try await system.waitResult(id, timeout: .seconds(10))
        try await system.shutdown()
        #expect(result.returnValue == 5)
        #expect(counting.count.load(ordering: .relaxed) == 5)
    }

    @Test func userTypesAreValidatedLikeBuiltIns() throws {
        let directory = try TemporaryConfigDirectory(files: [
            "taskiq.json": """
            {"broker": {"type": "inmemory"}, "middlewares": [{"type": "counting", "step": 11}]}
            """
        ])
        let error = try #require(Fixtures.error(loading: directory.path("taskiq.json"), registry: Self.userRegistry))
        #expect(error.path == "middlewares[0].step")
        #expect(error.code == .outOfRange)
        let missing = try TemporaryConfigDirectory(files: [
            "taskiq.json": """
            {"broker": {"type": "inmemory"}, "result_backend": {"type": "remote"}}
            """
        ])
        let missingError = try #require(Fixtures.error(loading: missing.path("taskiq.json"), registry: Self.userRegistry))
        #expect(missingError.code == .missingKey)
        #expect(missingError.path == "result_backend.url")
    }

    @Test func userTypesAppearInTheSchema() throws {
        let schema = Self.userRegistry.jsonSchema()
        let definitions = try #require(schema.objectValue?["$defs"]?.objectValue)
        let counting = try #require(definitions["middleware.counting"]?.objectValue)
        #expect(counting["properties"]?.objectValue?["type"] == ["const": "counting"])
        #expect(counting["properties"]?.objectValue?["step"]?.objectValue?["default"] == 1)
        let choices = definitions["middleware"]?.objectValue?["oneOf"]?.arrayValue ?? []
        #expect(choices.contains(["$ref": "#/$defs/middleware.counting"]))
        #expect(definitions["result_backend.remote"]?.objectValue?["required"] == ["type", "url"])
    }

    @Test func registeringANameAgainReplacesIt() {
        var registry = ComponentRegistry.standard
        registry.register(taskIDGenerator: "uuid4", summary: "mine") { _ in .uuid7 }
        #expect(registry.types(of: .taskIDGenerator).map(\.name) == ["uuid4", "uuid7", "uuid4_dashed"])
        #expect(registry.type(.taskIDGenerator, named: "uuid4")?.summary == "mine")
    }

    @Test func theCommittedSchemaIsFresh() throws {
        let file = TestPaths.packageRoot.appendingPathComponent("examples/taskiq.schema.json")
        let committed = try String(contentsOf: file, encoding: .utf8)
        let generated = ComponentRegistry.standard.jsonSchema().prettyPrinted + "\n"
        #expect(
            committed == generated,
            """
            examples/taskiq.schema.json is stale; regenerate it from the package root with:
              swift run taskiq-run schema > examples/taskiq.schema.json
            """)
    }

    @Test func theSchemaDescribesNamedBrokersAndRoutes() throws {
        let schema = try #require(ComponentRegistry.standard.jsonSchema().objectValue)
        let properties = try #require(schema["properties"]?.objectValue)
        #expect(properties["brokers"]?.objectValue?["additionalProperties"] == ["$ref": "#/$defs/named_broker"])
        let routes = properties["tasks"]?.objectValue?["properties"]?.objectValue?["routes"]?.objectValue
        #expect(routes?["additionalProperties"] == ["type": "string"])
        let definitions = try #require(schema["$defs"]?.objectValue)
        let zeromq = definitions["named_broker.zeromq"]?.objectValue?["properties"]?.objectValue
        #expect(zeromq?["result_backend"]?.objectValue?["$ref"] == "#/$defs/result_backend")
        #expect(zeromq?["pattern"] != nil)
        #expect(definitions["broker.zeromq"]?.objectValue?["properties"]?.objectValue?["result_backend"] == nil)
    }

    @Test func theSchemaIsDraft202012WithOneOfPerKind() throws {
        let schema = try #require(ComponentRegistry.standard.jsonSchema().objectValue)
        #expect(schema["$schema"] == "https://json-schema.org/draft/2020-12/schema")
        let definitions = try #require(schema["$defs"]?.objectValue)
        for kind in ComponentKind.allCases {
            #expect(definitions[kind.rawValue]?.objectValue?["oneOf"] != nil, "\(kind)")
        }
        let retry = definitions["middleware.simple_retry"]?.objectValue?["properties"]?.objectValue
        let count = retry?["default_retry_count"]?.objectValue
        #expect(count?["anyOf"]?.arrayValue?.first == ["type": "integer", "minimum": 1, "maximum": 1000])
    }
}

@Suite struct SecretMaskingTests {
    @Test func secretKeysAndURLPasswordsAreMasked() {
        let value: JSONValue = [
            "url": "redis://user:hunter2@cache:6379/0",
            "plain": "redis://cache:6379",
            "password": "hunter2",
            "api_token": 42,
            "nested": ["client_secret": "s", "name": "kept", "secrets": ["a": "b"]],
            "empty_password": nil,
        ]
        #expect(
            SecretMasking.masked(value) == [
                "url": "redis://user:***@cache:6379/0",
                "plain": "redis://cache:6379",
                "password": "***",
                "api_token": "***",
                "nested": ["client_secret": "***", "name": "kept", "secrets": ["a": "b"]],
                "empty_password": nil,
            ])
    }

    @Test func checkOutputMasksComponentOptions() throws {
        let directory = try TemporaryConfigDirectory(files: [
            "taskiq.json": """
            {"broker": {"type": "inmemory"},
             "result_backend": {"type": "remote", "url": "redis://app:${PW}@db/1", "password": "${PW}"}}
            """
        ])
        let system = try TaskiqSystem.load(
            directory.path("taskiq.json"), modules: Fixtures.modules,
            registry: ComponentRegistryTests.userRegistry, environment: ["PW": "s3cret"])
        let text = system.resolvedConfiguration.prettyPrinted
        #expect(!text.contains("s3cret"))
        #expect(text.contains(#""url": "redis://app:***@db/1""#))
        #expect(text.contains(#""password": "***""#))
    }
}
