import Synchronization

/// Counts tasks the way taskiq's `PrometheusMiddleware` does, under its metric names and its
/// `task_name` label, so existing dashboards keep working: `received_tasks` (before execution),
/// `success_tasks` or `found_errors` and the `execution_time` histogram (after execution),
/// `saved_results` (after the result is stored).
///
/// Each hook takes one short lock to find the task's series, then updates them without one.
public final class MetricsMiddleware: TaskiqMiddleware {
    private final class TaskSeries: Sendable {
        let received: MetricCounter
        let succeeded: MetricCounter
        let failed: MetricCounter
        let saved: MetricCounter
        let executionTime: MetricHistogram

        init(_ name: String, _ families: Families) {
            received = families.received.labels(name)
            succeeded = families.succeeded.labels(name)
            failed = families.failed.labels(name)
            saved = families.saved.labels(name)
            executionTime = families.executionTime.labels(name)
        }
    }

    private struct Families: Sendable {
        let received: MetricFamily<MetricCounter>
        let succeeded: MetricFamily<MetricCounter>
        let failed: MetricFamily<MetricCounter>
        let saved: MetricFamily<MetricCounter>
        let executionTime: MetricFamily<MetricHistogram>
    }

    private let families: Families
    private let byTask = Mutex<[String: TaskSeries]>([:])

    /// Creates the middleware, registering its five families in `registry`.
    public init(registry: MetricsRegistry = .shared) {
        families = Families(
            received: registry.counter("received_tasks", help: "Number of received tasks", labels: ["task_name"]),
            succeeded: registry.counter("success_tasks", help: "Number of successfully executed tasks", labels: ["task_name"]),
            failed: registry.counter("found_errors", help: "Number of found errors", labels: ["task_name"]),
            saved: registry.counter("saved_results", help: "Number of saved results in result backend", labels: ["task_name"]),
            executionTime: registry.histogram("execution_time", help: "Time of function execution", labels: ["task_name"]))
    }

    private func series(_ name: String) -> TaskSeries {
        if let known = byTask.withLock({ $0[name] }) { return known }
        let created = TaskSeries(name, families)
        return byTask.withLock { map in
            if let known = map[name] { return known }
            map[name] = created
            return created
        }
    }

    /// Counts `received_tasks`.
    public func preExecute(_ message: TaskiqMessage) async throws -> TaskiqMessage {
        series(message.taskName).received.increment()
        return message
    }

    /// Counts `success_tasks` or `found_errors` and observes `execution_time`.
    public func postExecute(_ message: TaskiqMessage, result: TaskiqResult<JSONValue>) async throws {
        let entry = series(message.taskName)
        if result.isErr { entry.failed.increment() } else { entry.succeeded.increment() }
        entry.executionTime.observe(result.executionTime)
    }

    /// Counts `saved_results`.
    public func postSave(_ message: TaskiqMessage, result: TaskiqResult<JSONValue>) async throws {
        series(message.taskName).saved.increment()
    }
}
