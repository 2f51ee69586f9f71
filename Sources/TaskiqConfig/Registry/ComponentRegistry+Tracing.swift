import Taskiq

extension ComponentRegistry {
    /// The options of the `opentelemetry` middleware; defaults come from ``SpanExporter/Options``.
    struct TracingKeys: OptionGroup {
        private static let defaults = SpanExporter.Options()

        let endpoint = Option<String>.address(
            "endpoint", .httpURL, default: Self.defaults.endpoint,
            description: "The OTLP/HTTP collector's base URL; spans are posted as JSON to <endpoint>/v1/traces.")
        let serviceName = Option<String>.string(
            "service_name", default: Self.defaults.serviceName,
            description: "The service.name resource attribute of every span.")
        let headers = Option<String?>.string(
            "headers",
            description: "Extra request headers as key=value pairs separated by commas, as OTEL_EXPORTER_OTLP_HEADERS.")
        let batchSize = Option<Int>.integer(
            "batch_size", default: Self.defaults.batchSize, range: 1...100_000,
            description: "The most spans in one request; a full batch is sent at once.")
        let queueSize = Option<Int>.integer(
            "queue_size", default: Self.defaults.queueSize, range: 1...1_000_000,
            description: "The most finished spans waiting to be sent; beyond it spans are dropped and counted, never blocking a task.")
        let exportInterval = Option<Duration>.seconds(
            "export_interval", default: Self.defaults.exportInterval, range: 0.01...3600,
            description: "Seconds between sends of waiting spans when no batch has filled.")
        let exportTimeout = Option<Duration>.seconds(
            "export_timeout", default: Self.defaults.exportTimeout, range: 0.1...600,
            description: "Seconds one request to the collector may take, connecting included.")
    }

    /// Registers the `opentelemetry` middleware.
    mutating func registerTracingTypes() {
        let keys = TracingKeys()
        register(
            middleware: "opentelemetry",
            summary:
                "Traces send and execute spans with taskiq's OpenTelemetryMiddleware labels and attributes (W3C traceparent), exported as OTLP/HTTP JSON.",
            options: keys.declarations
        ) { options in
            // The address format has checked the endpoint, so the exporter accepts it.
            let endpoint = try options[keys.endpoint]
            let headers = try Self.otlpHeaders(try options[keys.headers], path: keys.headers.name)
            let exporter = try SpanExporter(
                options: SpanExporter.Options(
                    endpoint: endpoint, serviceName: try options[keys.serviceName], headers: headers,
                    batchSize: try options[keys.batchSize], queueSize: try options[keys.queueSize],
                    exportInterval: try options[keys.exportInterval], exportTimeout: try options[keys.exportTimeout]))
            return OpenTelemetryMiddleware(exporter: exporter)
        }
    }

    /// Parses `key=value,key2=value2` (values may be percent-encoded, as OTEL_EXPORTER_OTLP_HEADERS).
    static func otlpHeaders(_ text: String?, path: String) throws(ConfigError) -> [(String, String)] {
        guard let text, !text.trimmingASCIIWhitespace().isEmpty else { return [] }
        var headers: [(String, String)] = []
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let name = parts.first.map { String($0).trimmingASCIIWhitespace() } ?? ""
            let raw = parts.count == 2 ? String(parts[1]).trimmingASCIIWhitespace() : ""
            let value = PercentEncoding.decoded(raw) ?? raw
            let validName = !name.isEmpty && name.utf8.allSatisfy { $0 > 32 && $0 < 127 && $0 != UInt8(ascii: ":") }
            guard parts.count == 2, validName, !value.utf8.contains(where: { $0 == 10 || $0 == 13 || $0 == 0 }) else {
                throw ConfigError(
                    .outOfRange, file: "", path: path,
                    "found \"\(pair)\"; expected key=value pairs separated by commas, such as \"authorization=Bearer%20abc\"")
            }
            headers.append((name, value))
        }
        return headers
    }
}
