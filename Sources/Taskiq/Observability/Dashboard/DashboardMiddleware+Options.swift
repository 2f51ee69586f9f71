extension DashboardMiddleware {
    /// Where the dashboard is and how events are sent to it; the names and defaults are those
    /// of taskiq-dashboard's Python `DashboardMiddleware`.
    public struct Options: Sendable {
        /// The dashboard's base URL, such as `http://127.0.0.1:8000`; events are posted to
        /// `<url>/api/tasks/<task_id>/<event>`.
        public var url: String
        /// The dashboard's access token (its `TASKIQ_DASHBOARD__API__TOKEN`), sent as the
        /// `access-token` header.
        public var apiToken: String
        /// The most one request may take, connecting included.
        public var timeout: Duration
        /// The name reported as the task's worker.
        public var brokerName: String
        /// The most events waiting to be sent; events while it is full are dropped and counted.
        public var queueSize: Int
        /// The most bytes of event bodies waiting to be sent, so that tasks with large arguments
        /// cannot fill memory while the dashboard is away; beyond it events are dropped and counted.
        public var queueBytes: Int

        /// Creates options.
        /// - Parameters:
        ///   - url: The dashboard's base URL.
        ///   - apiToken: The dashboard's access token.
        ///   - timeout: The most one request may take (Python's default, 5 seconds).
        ///   - brokerName: The worker name shown in the dashboard (Python's default, `default_broker`).
        ///   - queueSize: The most events waiting (at least 1).
        ///   - queueBytes: The most bytes of event bodies waiting (at least 1 KiB; 64 MiB by default).
        public init(
            url: String, apiToken: String, timeout: Duration = .seconds(5),
            brokerName: String = "default_broker", queueSize: Int = 10_000, queueBytes: Int = 64 << 20
        ) {
            self.url = url
            self.apiToken = apiToken
            self.timeout = timeout
            self.brokerName = brokerName
            self.queueSize = max(1, queueSize)
            self.queueBytes = max(1024, queueBytes)
        }
    }

    /// What the middleware has reported so far.
    public struct Statistics: Sendable, Hashable {
        /// Events the dashboard accepted (a 2xx answer).
        public var sent = 0
        /// Events dropped because the queue was full or the middleware was shut down.
        public var dropped = 0
        /// Events whose request failed or was refused.
        public var failed = 0
        /// Events not sent because the task's ID is not a UUID, which the dashboard requires.
        public var skipped = 0
        /// Events waiting to be sent.
        public var queued = 0
    }
}
