import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqConfig

/// The `opentelemetry` middleware type: its options reach the exporter, its defaults are
/// ``SpanExporter/Options``'s, and bad values name their key.
@Suite struct TracingConfigTests {
    private func make(_ values: JSONObject) throws -> OpenTelemetryMiddleware {
        let type = try #require(ComponentRegistry.standard.type(.middleware, named: "opentelemetry"))
        var all = JSONObject()
        for option in type.options { all[option.name] = option.defaultValue }
        for (key, value) in values { all[key] = value }
        guard case .middleware(let middleware) = try type.make(ComponentOptions(type: "opentelemetry", values: all)),
            let traced = middleware as? OpenTelemetryMiddleware
        else { throw ConfigError(.wrongType, file: "", path: "", "not traced") }
        return traced
    }

    @Test func defaultsAreTheExportersDefaults() async throws {
        let middleware = try make([:])
        let options = try #require(middleware.exporter?.options)
        let swift = SpanExporter.Options()
        #expect(options.endpoint == swift.endpoint && options.serviceName == swift.serviceName)
        #expect(options.batchSize == swift.batchSize && options.queueSize == swift.queueSize)
        #expect(options.exportInterval == swift.exportInterval && options.exportTimeout == swift.exportTimeout)
        #expect(options.headers.isEmpty)
        try await middleware.shutdown()
    }

    @Test func optionsReachTheExporter() async throws {
        let middleware = try make([
            "endpoint": "http://collector:4318/otlp", "service_name": "billing",
            "headers": "authorization=Bearer%20abc, x-team = ops",
            "batch_size": 10, "queue_size": 100, "export_interval": 0.5, "export_timeout": 2,
        ])
        let options = try #require(middleware.exporter?.options)
        #expect(options.endpoint == "http://collector:4318/otlp" && options.serviceName == "billing")
        #expect(options.headers.map { "\($0.0)=\($0.1)" } == ["authorization=Bearer abc", "x-team=ops"])
        #expect(options.batchSize == 10 && options.queueSize == 100)
        #expect(options.exportInterval == .milliseconds(500) && options.exportTimeout == .seconds(2))
        try await middleware.shutdown()
    }

    @Test(arguments: ["ftp://x", "", "http://", "http://host:99999"])
    func aBadEndpointIsReportedAtItsPath(_ endpoint: String) throws {
        let directory = try TemporaryConfigDirectory(files: [
            "taskiq.json": """
            {"broker": {"type": "inmemory"}, "middlewares": [{"type": "opentelemetry", "endpoint": "\(endpoint)"}]}
            """
        ])
        let error = try #require(Fixtures.error(loading: directory.path("taskiq.json")))
        #expect(error.path == "middlewares[0].endpoint", "\(error)")
        #expect(error.message.contains("http"), "\(error)")
    }

    @Test(arguments: ["novalue", "=v", "a b=c", "x=1\r\ny"])
    func badHeadersAreRejected(_ headers: String) throws {
        do {
            _ = try make(["headers": .string(headers)])
            Issue.record("accepted headers \(headers)")
        } catch let error as ConfigError {
            #expect(error.path == "headers", "\(error)")
        }
    }
}
