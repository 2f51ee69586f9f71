import Taskiq

extension ConfigValidator {
    /// Validates the `metrics` section; `nil` when it is absent.
    func metricsSettings(_ value: JSONValue?) throws(ConfigError) -> MetricsSettings? {
        guard let value else { return nil }
        let path = JSONPath.root.key("metrics")
        guard case .object(let object) = value else {
            throw wrongType(value, at: path, expected: "an object such as {\"listen\": \"127.0.0.1:9000\"}")
        }
        let values = try options(object, declared: MetricsSettings.options, at: path, owner: "the metrics section")
        return try MetricsSettings(ComponentOptions(type: "metrics", values: values))
    }
}
