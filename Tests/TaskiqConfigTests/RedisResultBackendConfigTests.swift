import Taskiq
import TaskiqRedis
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig

@Suite struct RedisResultBackendConfigTests {
    @Test func taskiqRedisNamesConfigureTheBackend() throws {
        let directory = try TemporaryConfigDirectory(files: [
            "taskiq.json": """
            {"broker": {"type": "inmemory"},
             "result_backend": {"type": "redis", "url": "${REDIS_URL:-redis://127.0.0.1:6379}", "prefix_str": "app",
                                "result_px_time": "${PX:-1500}", "keep_results": false}}
            """
        ])
        let configuration = try TaskiqConfiguration.load(directory.path("taskiq.json"), modules: Fixtures.modules, environment: [:])
        let system = try TaskiqSystem(configuration: configuration, modules: Fixtures.modules)
        let backend = try #require(system.broker.resultBackend as? RedisResultBackend)
        #expect(backend.prefix == "app")
        #expect(backend.expiry == .milliseconds(1500))
        #expect(!backend.keepResults)
        #expect(backend.key(for: "t1") == "app:t1" && backend.progressKey(for: "t1") == "app:t1__progress")
        #expect(ComponentRegistry.standard.type(.resultBackend, named: "redis")?.isProcessLocal == false)
    }

    @Test func defaultsMatchTaskiqRedis() throws {
        let directory = try TemporaryConfigDirectory(files: [
            "taskiq.json": """
            {"broker": {"type": "inmemory"}, "result_backend": {"type": "redis"}}
            """
        ])
        let configuration = try TaskiqConfiguration.load(directory.path("taskiq.json"), modules: Fixtures.modules, environment: [:])
        #expect(
            configuration.resultBackend?.json == [
                "type": "redis", "url": "redis://127.0.0.1:6379", "prefix_str": nil,
                "result_ex_time": nil, "result_px_time": nil, "keep_results": true,
                "max_bulk_length": .int(512 << 20), "max_aggregate_count": .int(1 << 20),
            ])
        let system = try TaskiqSystem(configuration: configuration, modules: Fixtures.modules)
        let backend = try #require(system.broker.resultBackend as? RedisResultBackend)
        #expect(backend.prefix == nil && backend.expiry == nil && backend.keepResults && backend.key(for: "t1") == "t1")
    }
}
