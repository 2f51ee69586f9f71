/// Reports each task's lifecycle to [taskiq-dashboard](https://pypi.org/project/taskiq-dashboard/),
/// with the endpoints, headers and JSON of its own Python `DashboardMiddleware`.
///
/// - `postSend` (producer): `POST <url>/api/tasks/<id>/queued` with the arguments, labels and name;
/// - `preExecute` (worker): `.../started`, the same with the start time;
/// - `postExecute` (worker): `.../executed` with the run time, the error (Python's `repr`, such
///   as `ValueError('boom')`) or `null`, and `{"return_value": ...}`.
///
/// Every request carries the `access-token` header. Reporting is fire-and-forget: a hook only
/// appends to a bounded queue that a background thread drains over one keep-alive connection,
/// so a slow or absent dashboard never delays or fails a task; a full queue drops events and
/// counts them (``statistics``). ``shutdown()`` sends what is waiting, for at most the request
/// timeout. The dashboard needs UUID task IDs (taskiq's default); other tasks are not reported,
/// which is logged once.
///
/// ```swift
/// let dashboard = try DashboardMiddleware(options: .init(url: "http://127.0.0.1:8000", apiToken: token))
/// broker.addMiddlewares([dashboard])
/// ```
public final class DashboardMiddleware: TaskiqMiddleware {
    /// The options it was created with.
    public let options: Options
    private let reporter: DashboardReporter

    /// Creates the middleware; its sending thread starts with the first event.
    /// - Parameters:
    ///   - options: Where the dashboard is and how to reach it.
    ///   - logger: Where failures to report are logged.
    /// - Throws: ``HTTPClientError`` when ``Options/url`` is not an `http(s)://` URL.
    public init(options: Options, logger: Logger = Logger(label: "taskiq.dashboard")) throws(HTTPClientError) {
        self.options = options
        reporter = try DashboardReporter(options: options, logger: logger)
    }

    /// What has been reported, dropped and lost so far.
    public var statistics: Statistics { reporter.statistics }

    /// Sends what is waiting, for at most ``Options/timeout``, then stops reporting.
    public func shutdown() async throws {
        await reporter.shutdown(timeout: options.timeout)
    }

    /// Reports the task as queued.
    public func postSend(_ message: TaskiqMessage) async throws {
        reporter.report(.queued(message, worker: options.brokerName, at: DashboardTimestamp.now()))
    }

    /// Reports the task as started.
    public func preExecute(_ message: TaskiqMessage) async throws -> TaskiqMessage {
        reporter.report(.started(message, worker: options.brokerName, at: DashboardTimestamp.now()))
        return message
    }

    /// Reports the task as finished, successfully or not.
    public func postExecute(_ message: TaskiqMessage, result: TaskiqResult<JSONValue>) async throws {
        reporter.report(.executed(message, result: result, at: DashboardTimestamp.now()))
    }
}
