import Foundation
import Taskiq
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig

/// The `dashboard` middleware as a config declares it: options, errors at their JSON path, and
/// the token masked by `check`.
@Suite struct DashboardConfigTests {
    static let secret = "dash-S3cret-token"

    private func load(_ middleware: String, environment: [String: String] = ["TASKIQ_DASHBOARD_TOKEN": secret]) throws -> TaskiqSystem {
        let directory = try TemporaryConfigDirectory(files: [
            "taskiq.json": """
            {"broker": {"type": "inmemory"}, "middlewares": [{"type": "simple_retry"}, \(middleware)]}
            """
        ])
        return try TaskiqSystem.load(directory.path("taskiq.json"), modules: Fixtures.modules, environment: environment)
    }

    private func loadError(_ middleware: String, environment: [String: String] = [:]) -> ConfigError? {
        do {
            _ = try load(middleware, environment: environment)
            return nil
        } catch let error as ConfigError {
            return error
        } catch {
            Issue.record("expected a ConfigError, got \(error)")
            return nil
        }
    }

    @Test func buildsTheMiddlewareWithPythonsDefaults() throws {
        let system = try load(#"{"type": "dashboard", "url": "http://127.0.0.1:8000", "api_token": "${TASKIQ_DASHBOARD_TOKEN}"}"#)
        let dashboard = try #require(system.broker.middlewares.compactMap { $0 as? DashboardMiddleware }.first)
        #expect(dashboard.options.url == "http://127.0.0.1:8000")
        #expect(dashboard.options.apiToken == Self.secret)
        #expect(dashboard.options.timeout == .seconds(5))
        #expect(dashboard.options.brokerName == "default_broker")
        #expect(dashboard.options.queueSize == 10_000)
        #expect(dashboard.options.queueBytes == 64 << 20)
    }

    @Test func readsEveryOption() throws {
        let system = try load(
            """
            {"type": "dashboard", "url": "http://dash.internal:9000/base", "api_token": "t",
             "timeout": 1.5, "broker_name": "billing", "queue_size": 7, "queue_bytes": 4096}
            """)
        let dashboard = try #require(system.broker.middlewares.compactMap { $0 as? DashboardMiddleware }.first)
        #expect(dashboard.options.timeout == .milliseconds(1500))
        #expect(dashboard.options.brokerName == "billing")
        #expect(dashboard.options.queueSize == 7)
        #expect(dashboard.options.queueBytes == 4096)
    }

    @Test(arguments: [
        (#""url": "ftp://dash:8000""#, "middlewares[1].url", ConfigError.Code.invalidAddress),
        (#""url": "http://dash:99999""#, "middlewares[1].url", .invalidAddress),
        (#""url": "http://user:pw@dash""#, "middlewares[1].url", .invalidAddress),
        (#""url": "http://dash", "timeout": 0"#, "middlewares[1].timeout", .outOfRange),
        (#""url": "http://dash", "queue_size": 0"#, "middlewares[1].queue_size", .outOfRange),
        (#""url": "http://dash", "queue_bytes": 10"#, "middlewares[1].queue_bytes", .outOfRange),
    ])
    func refusesBadOptionsAtTheirPath(options: String, path: String, code: ConfigError.Code) throws {
        let error = try #require(loadError(#"{"type": "dashboard", "api_token": "t", \#(options)}"#))
        #expect(error.code == code, "\(error)")
        #expect(error.path == path, "\(error)")
    }

    @Test func aMissingOrEmptyTokenIsAnError() throws {
        let missing = try #require(loadError(#"{"type": "dashboard", "url": "http://dash:8000"}"#))
        #expect(missing.code == .missingKey, "\(missing)")
        #expect(missing.path == "middlewares[1].api_token", "\(missing)")
        let empty = try #require(
            loadError(#"{"type": "dashboard", "url": "http://dash:8000", "api_token": "${TASKIQ_DASHBOARD_TOKEN:-}"}"#))
        #expect(empty.path == "middlewares[1].api_token", "\(empty)")
        #expect(empty.message.contains("empty"), "\(empty)")
    }

    @Test func checkMasksTheToken() throws {
        let system = try load(#"{"type": "dashboard", "url": "http://127.0.0.1:8000", "api_token": "${TASKIQ_DASHBOARD_TOKEN}"}"#)
        let report = CheckCommand.report(system)
        #expect(!report.contains(Self.secret), "\(report)")
        #expect(report.contains(#""api_token": "***""#), "\(report)")
        #expect(report.contains(#""broker_name": "default_broker""#), "\(report)")
    }
}
