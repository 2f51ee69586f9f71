import Taskiq

extension ComponentRegistry {
    /// The options of the `dashboard` middleware: the parameters of taskiq-dashboard's Python
    /// `DashboardMiddleware`, with defaults from ``DashboardMiddleware/Options``.
    struct DashboardKeys: OptionGroup {
        private static let defaults = DashboardMiddleware.Options(url: "", apiToken: "")

        let url = Option<String>(
            .address(
                "url", .httpURL, default: nil, required: true,
                description: "The dashboard's base URL, such as http://127.0.0.1:8000; events go to <url>/api/tasks/<task_id>/<event>."),
            encode: JSONValue.string
        ) { $0.stringValue }
        let apiToken = Option<String>.requiredString(
            "api_token",
            description:
                "The dashboard's access token, sent as the access-token header; typically \"${TASKIQ_DASHBOARD_TOKEN}\" (masked by check).")
        let timeout = Option<Duration>.seconds(
            "timeout", default: Self.defaults.timeout, range: 0.1...600,
            description: "Seconds one request may take, connecting included; also the most shutdown waits to send what is queued.")
        let brokerName = Option<String>.string(
            "broker_name", default: Self.defaults.brokerName,
            description: "The worker name the dashboard shows for each task.")
        let queueSize = Option<Int>.integer(
            "queue_size", default: Self.defaults.queueSize, range: 1...1_000_000,
            description: "The most events waiting to be sent; beyond it events are dropped and counted, never blocking a task.")
        let queueBytes = Option<Int>.integer(
            "queue_bytes", default: Self.defaults.queueBytes, range: 1024...(1 << 34),
            description:
                "The most bytes of event bodies waiting to be sent (arguments and results can be large); beyond it events are dropped and counted."
        )
    }

    /// Registers the `dashboard` middleware.
    mutating func registerDashboardTypes() {
        let keys = DashboardKeys()
        register(
            middleware: "dashboard",
            summary:
                "Reports queued, started and finished tasks to taskiq-dashboard, as its Python DashboardMiddleware (fire-and-forget, bounded queue).",
            options: keys.declarations
        ) { options in
            let token = try options[keys.apiToken]
            guard !token.trimmingASCIIWhitespace().isEmpty else {
                throw ConfigError(
                    .missingKey, file: "", path: keys.apiToken.name,
                    "found an empty token; expected the dashboard's access token, such as \"${TASKIQ_DASHBOARD_TOKEN}\"")
            }
            return try DashboardMiddleware(
                options: DashboardMiddleware.Options(
                    url: try options[keys.url], apiToken: token, timeout: try options[keys.timeout],
                    brokerName: try options[keys.brokerName], queueSize: try options[keys.queueSize],
                    queueBytes: try options[keys.queueBytes]))
        }
    }
}
