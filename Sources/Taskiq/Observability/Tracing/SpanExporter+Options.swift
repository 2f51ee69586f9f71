extension SpanExporter {
    /// Where and how spans are exported.
    public struct Options: Sendable {
        /// The OTLP/HTTP collector's base URL, such as `http://127.0.0.1:4318`; spans are posted
        /// to `<endpoint>/v1/traces`.
        public var endpoint: String
        /// The resource's `service.name`.
        public var serviceName: String
        /// Extra request headers (authentication for a hosted collector), sent in order.
        public var headers: [(String, String)]
        /// The most spans in one request; a full batch is sent at once, without waiting for the interval.
        public var batchSize: Int
        /// The most spans waiting to be sent; spans finished while it is full are dropped and counted.
        public var queueSize: Int
        /// How often waiting spans are sent when no batch has filled.
        public var exportInterval: Duration
        /// The most one request may take, connecting included.
        public var exportTimeout: Duration

        /// Creates options; the defaults are OpenTelemetry's batch span processor's, except a
        /// shorter interval so a worker's spans show up promptly.
        /// - Parameters:
        ///   - endpoint: The collector's base URL.
        ///   - serviceName: The resource's `service.name`.
        ///   - headers: Extra request headers.
        ///   - batchSize: The most spans in one request (at least 1).
        ///   - queueSize: The most spans waiting (at least `batchSize`).
        ///   - exportInterval: How often waiting spans are sent.
        ///   - exportTimeout: The most one request may take.
        public init(
            endpoint: String = "http://127.0.0.1:4318", serviceName: String = "taskiq",
            headers: [(String, String)] = [], batchSize: Int = 512, queueSize: Int = 2048,
            exportInterval: Duration = .seconds(1), exportTimeout: Duration = .seconds(10)
        ) {
            self.endpoint = endpoint
            self.serviceName = serviceName
            self.headers = headers
            self.batchSize = max(1, batchSize)
            self.queueSize = max(self.batchSize, queueSize)
            self.exportInterval = exportInterval
            self.exportTimeout = exportTimeout
        }
    }

    /// What the exporter has done so far.
    public struct Statistics: Sendable, Hashable {
        /// Spans accepted by the collector (a 2xx answer).
        public var exported = 0
        /// Spans dropped because the queue was full.
        public var dropped = 0
        /// Spans lost because their request failed or was refused.
        public var failed = 0
        /// Spans waiting to be sent.
        public var queued = 0
        /// Requests sent, successful or not.
        public var requests = 0
    }
}
