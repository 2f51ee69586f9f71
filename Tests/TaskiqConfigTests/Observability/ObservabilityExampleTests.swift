import Taskiq
import TaskiqRedis
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig

/// `examples/taskiq.observability.json`, the file the Observability article (Taskiq.docc/Observability.md) starts from, turns
/// on every part: metrics, tracing, the dashboard and JSON logs, each from the environment.
@Suite struct ObservabilityExampleTests {
    @Test func theExampleTurnsOnMetricsTracingTheDashboardAndJSONLogs() throws {
        let system = try TaskiqSystem.load(
            TestPaths.example("taskiq.observability.json"), modules: Fixtures.modules,
            environment: [
                "TASKIQ_METRICS_LISTEN": "127.0.0.1:9464",
                "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318",
                "TASKIQ_DASHBOARD_URL": "http://dashboard:8000",
                "TASKIQ_DASHBOARD_TOKEN": "s3cret",
            ])
        #expect(system.configuration.metrics?.listen == "127.0.0.1:9464")
        #expect(system.configuration.worker.logFormat == .json)
        #expect(system.broker(named: "default") is RedisStreamBroker, "over Redis, from taskiq.redis.json")
        let middlewares = system.broker.middlewares
        #expect(middlewares.count == 3)
        #expect(middlewares.contains { $0 is SimpleRetryMiddleware })
        #expect(middlewares.contains { $0 is OpenTelemetryMiddleware })
        let dashboard = try #require(middlewares.compactMap { $0 as? DashboardMiddleware }.first)
        #expect(dashboard.options.url == "http://dashboard:8000")
        #expect(dashboard.options.apiToken == "s3cret")

        let fallback = try TaskiqSystem.load(TestPaths.example("taskiq.observability.json"), modules: Fixtures.modules, environment: [:])
        #expect(fallback.configuration.metrics?.listen == "127.0.0.1:9000", "loopback unless told otherwise")
    }
}
