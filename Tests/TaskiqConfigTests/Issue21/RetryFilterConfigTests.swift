import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqConfig
@testable import TaskiqRedis

/// `retry_on` / `no_retry_on` in both retry middlewares' config, declared once.
@Suite struct RetryFilterConfigTests {
    static func system(_ middleware: String, broker: String = #"{"type": "inmemory"}"#) throws -> TaskiqSystem {
        let directory = try TemporaryConfigDirectory(files: [
            "taskiq.json": """
            {"broker": \(broker), "tasks": {"modules": ["examples"]}, "middlewares": [\(middleware)]}
            """
        ])
        return try TaskiqSystem.load(directory.path("taskiq.json"), modules: Fixtures.modules)
    }

    @Test func bothMiddlewaresReadTheFilters() throws {
        let simple = try Self.system(
            #"{"type": "simple_retry", "retry_on": ["TimeoutError", "HTTPError:503"], "no_retry_on": ["PermissionError"]}"#)
        let made = try #require(simple.broker.components.middlewares.first as? SimpleRetryMiddleware)
        #expect(made.retryOn == ["TimeoutError", "HTTPError:503"] && made.doNotRetryOn == ["PermissionError"])
        let smart = try Self.system(#"{"type": "smart_retry", "no_retry_on": "ValueError, KeyError"}"#)
        let smartMade = try #require(smart.broker.components.middlewares.first as? SmartRetryMiddleware)
        #expect(smartMade.retryOn == nil, "absent: any error is retried")
        #expect(smartMade.doNotRetryOn == ["ValueError", "KeyError"], "one string of names, as ${VAR} supplies")
    }

    @Test func aListOfOtherThanStringsFailsWithItsPath() throws {
        let error = try #require(throws: ConfigError.self) {
            try Self.system(#"{"type": "smart_retry", "retry_on": ["TimeoutError", 5]}"#)
        }
        #expect(error.code == .wrongType && error.path == "middlewares[0].retry_on[1]", "\(error)")
        let notAList = try #require(throws: ConfigError.self) { try Self.system(#"{"type": "simple_retry", "no_retry_on": {"a": 1}}"#) }
        #expect(notAList.path == "middlewares[0].no_retry_on" && notAList.message.contains("a list of strings"))
    }

    @Test func theSchemaDescribesTheFiltersOfBothMiddlewares() throws {
        let schema = ComponentRegistry.standard.jsonSchema()
        let text = String(decoding: schema.serialized(style: .compact), as: UTF8.self)
        #expect(text.contains(#""retry_on":{"#) && text.contains(#""no_retry_on":{"#))
        for type in ["simple_retry", "smart_retry"] {
            let options = ComponentRegistry.standard.type(.middleware, named: type)?.options.map(\.name) ?? []
            #expect(options.contains("retry_on") && options.contains("no_retry_on"), "\(type)")
        }
    }
}

/// The filters from config on a Redis worker: only allowed errors are retried through the stream.
@Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage))
struct RedisRetryFilterTests {
    @Test func aRedisWorkerRetriesOnlyWhatTheConfigAllows() async throws {
        try await RedisServer.with { server in
            let system = try RetryFilterConfigTests.system(
                #"{"type": "smart_retry", "default_retry_label": true, "default_delay": 0, "default_retry_count": 3, "no_retry_on": ["HTTPError:404"]}"#,
                broker: #"{"type": "redis_stream", "url": "\#(server.url)", "xread_block": 200}"#)
            let broker = system.broker
            broker.withResultBackend(InMemoryResultBackend(maxStoredResults: -1))
            let attempts = Mutex<[String: Int]>([:])
            func failing(_ name: String, _ error: TaskError, labels: JSONObject = [:]) -> TaskDefinition<Int> {
                broker.task(name, labels: labels) { () async throws -> Int in
                    attempts.withLock { $0[name, default: 0] += 1 }
                    throw error
                }
            }
            let notFound = failing("not_found", TaskError(name: "HTTPError", arguments: [404]))
            let unavailable = failing("unavailable", TaskError(name: "HTTPError", arguments: [503]))
            let labelled = failing("labelled", TaskError(name: "HTTPError", arguments: [503]), labels: ["no_retry_on": ["*:503"]])
            try await broker.startup()
            let receiver = Receiver(broker: broker, options: system.receiverOptions)
            let running = Task { try await receiver.run() }
            for task in [notFound, unavailable, labelled] {
                let handle = try await task.kiq()
                let result = try await broker.resultBackend.waitResult(handle.taskID, timeout: .seconds(30), withLogs: false)
                #expect(result.isErr)
            }
            receiver.stop()
            _ = try? await withTimeout(seconds: 10) { try await running.value }
            try await broker.shutdown()
            receiver.shutdown()
            #expect(attempts.withLock { $0 } == ["not_found": 1, "unavailable": 3, "labelled": 1])
        }
    }
}
