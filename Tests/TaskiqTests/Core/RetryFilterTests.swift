import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq

/// `retry_on` / `no_retry_on`: patterns by type name, qualified name or code, and per-task labels.
@Suite struct RetryFilterTests {
    static let http503 = TaskError(name: "HTTPError", arguments: [503, "unavailable"], module: "shop.errors")
    static let declined = TaskError(name: "PaymentError", arguments: ["declined"], module: "Billing")

    @Test(arguments: [
        ("HTTPError", http503, true), ("shop.errors.HTTPError", http503, true), ("errors.HTTPError", http503, false),
        ("HTTPError:503", http503, true), ("HTTPError:502", http503, false), ("*:503", http503, true),
        ("ValueError:503", http503, false), ("PaymentError:declined", declined, true),
        ("Billing.PaymentError:declined", declined, true), ("PaymentError:expired", declined, false),
        (" TimeoutError ", TaskError.timeout, true), ("builtins.TimeoutError", TaskError.timeout, true),
        ("TimeoutError:1", TaskError.timeout, false),
    ])
    func patternsMatchByNameQualifiedNameOrCode(_ pattern: String, _ error: TaskError, _ expected: Bool) {
        #expect(RetryFilter.matches(pattern, error) == expected)
    }

    @Test func labelsReplaceTheMiddlewareListsAndNoRetryOnWins() {
        let filter = RetryFilter(retryOn: ["HTTPError"], noRetryOn: ["HTTPError:404"])
        #expect(filter.allows(Self.http503))
        #expect(!filter.allows(TaskError(name: "HTTPError", arguments: [404])))
        #expect(!filter.allows(Self.declined))
        #expect(filter.allows(Self.declined, labels: ["retry_on": ["PaymentError"]]), "a task's list replaces the middleware's")
        #expect(filter.allows(Self.declined, labels: ["retry_on": "ValueError, PaymentError"]), "text labels split on commas")
        #expect(!filter.allows(Self.http503, labels: ["no_retry_on": ["*:503"]]))
        #expect(
            !filter.allows(Self.http503, labels: ["no_retry_on": "['ValueError', \"*:503\"]"]), "a list label as taskiq's wire sends it")
        #expect(!RetryFilter(retryOn: ["HTTPError"], noRetryOn: ["HTTPError"]).allows(Self.http503), "no_retry_on wins")
        #expect(filter.allows(Self.http503, labels: ["retry_on": .null]), "null leaves the middleware's list")
    }

    /// Both middlewares on the in-memory broker: a task's labels decide per task.
    @Test(arguments: ["simple", "smart"])
    func middlewaresRetryOnlyWhatTheFiltersAllow(_ kind: String) async throws {
        let broker = InMemoryBroker()
        let middleware: any TaskiqMiddleware =
            kind == "simple"
            ? SimpleRetryMiddleware(defaultRetryCount: 3, defaultRetryLabel: true, doNotRetryOn: ["HTTPError:404"])
            : SmartRetryMiddleware(defaultRetryCount: 3, defaultRetryLabel: true, defaultDelay: 0, doNotRetryOn: ["HTTPError:404"])
        broker.addMiddlewares([middleware])
        let attempts = Recorder()
        func failing(_ name: String, _ error: TaskError, labels: JSONObject = [:]) -> TaskDefinition<Int> {
            broker.task(name, labels: labels) { () async throws -> Int in
                attempts.record(name)
                throw error
            }
        }
        let notFound = failing("not_found", TaskError(name: "HTTPError", arguments: [404]))
        let unavailable = failing("unavailable", Self.http503)
        let onlyTimeouts = failing("only_timeouts", Self.declined, labels: ["retry_on": ["TimeoutError"]])
        let taskWide = failing("task_wide", Self.http503, labels: ["no_retry_on": "HTTPError"])
        for task in [notFound, unavailable, onlyTimeouts, taskWide] {
            let result = try await task.kiq().waitResult(timeout: .seconds(10))
            #expect(result.isErr)
        }
        await broker.waitAll()
        let counts = Dictionary(attempts.all.map { ($0, 1) }, uniquingKeysWith: +)
        #expect(counts == ["not_found": 1, "unavailable": 3, "only_timeouts": 1, "task_wide": 1], "\(counts)")
    }
}
