/// Serves the Prometheus text format on `/metrics` (and a short index on `/`) over ``HTTPServer``.
///
/// ```swift
/// let endpoint = try MetricsEndpoint(host: "127.0.0.1", port: 9000) { MetricsRegistry.shared.exposition() }
/// defer { endpoint.shutdown() }
/// ```
package final class MetricsEndpoint: Sendable {
    private let server: HTTPServer

    /// The port bound.
    package var port: UInt16 { server.port }

    /// Binds `host:port` and serves `exposition()` at every scrape.
    /// - Throws: ``TCPError`` when the address cannot be bound.
    package init(
        host: String, port: UInt16, options: HTTPServer.Options = HTTPServer.Options(),
        exposition: @escaping @Sendable () -> String
    ) throws {
        server = try HTTPServer(host: host, port: port, options: options) { head in
            switch head.path {
            case "/metrics":
                return .text(200, exposition(), contentType: PrometheusTextEncoder.contentType)
            case "/":
                return .text(200, "taskiq metrics: see /metrics\n")
            default:
                return .text(404, "not found; the metrics are at /metrics\n")
            }
        }
    }

    /// Closes the endpoint and its connections.
    package func shutdown() { server.shutdown() }
}
