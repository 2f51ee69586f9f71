import Taskiq

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opens the `/metrics` endpoint of a `taskiq-run` process when the configuration has a
/// `metrics` section: the worker's, the scheduler's, or the supervisor's sum of its workers.
///
/// A worker spawned by a supervisor does not bind the configured address (its supervisor does):
/// it listens on a loopback port of the system's choice and writes that port to
/// `<TASKIQ_METRICS_PORT_DIRECTORY>/<worker index>.port`, where the supervisor reads it at every
/// scrape (see ``SupervisorMetrics``).
enum MetricsService {
    /// The variable the supervisor sets to the directory its workers write their ports to.
    static let portDirectoryVariable = "TASKIQ_METRICS_PORT_DIRECTORY"

    /// Starts a worker's endpoint: the five `PrometheusMiddleware` series on the listened broker,
    /// the receiver's series and the process figures.
    /// - Returns: The endpoint, or `nil` without a `metrics` section.
    static func startWorker(
        _ system: TaskiqSystem, broker: String, environment: [String: String],
        logger: Logger
    ) throws -> MetricsEndpoint? {
        guard let settings = system.configuration.metrics else { return nil }
        system.broker(named: broker)?.addMiddlewares([MetricsMiddleware(registry: .shared)])
        let registry = MetricsRegistry.shared
        var reporting: [String: any QueueDepthReporting] = [:]
        for name in system.configuration.brokerNames {
            if let queue = system.broker(named: name) as? any QueueDepthReporting { reporting[name] = queue }
        }
        if !reporting.isEmpty { registry.addCollector(QueueDepthMetrics.collector(reporting)) }
        let portFile = environment[portDirectoryVariable].flatMap { directory in
            environment[WorkerCommand.workerIndexVariable].map { "\(directory)/\($0).port" }
        }
        let endpoint: MetricsEndpoint
        if let portFile {
            endpoint = try serve(host: "127.0.0.1", port: 0, system, registry)
            try writePort(endpoint.port, to: portFile)
        } else {
            endpoint = try serve(host: settings.host, port: settings.port, system, registry)
            logger.info("serving metrics on http://\(displayHost(settings.host)):\(endpoint.port)/metrics")
        }
        return endpoint
    }

    /// Adds the collectors of a running receiver to the shared registry.
    static func observe(_ receiver: Receiver, broker: String) {
        MetricsRegistry.shared.addCollector(ReceiverMetrics.collector(receiver, broker: broker))
    }

    /// Starts the scheduler's endpoint: lease renewals, broker reconnects and process figures.
    static func startScheduler(_ system: TaskiqSystem, logger: Logger) throws -> MetricsEndpoint? {
        guard let settings = system.configuration.metrics else { return nil }
        let endpoint = try serve(host: settings.host, port: settings.port, system, .shared)
        logger.info("serving metrics on http://\(displayHost(settings.host)):\(endpoint.port)/metrics")
        return endpoint
    }

    private static func serve(host: String, port: UInt16, _ system: TaskiqSystem, _ registry: MetricsRegistry) throws -> MetricsEndpoint {
        TaskiqMetrics.register()
        do {
            return try MetricsEndpoint(host: host, port: port) {
                PrometheusTextEncoder.encode(registry.collect() + ProcessMetrics.collect())
            }
        } catch {
            let path = "metrics.listen"
            throw ConfigError(
                .invalidAddress, file: system.configuration.document.origin(of: JSONPath.root.key("metrics").key("listen")),
                path: path, "cannot serve metrics on \(displayHost(host)):\(port): \(error); expected a free local address")
        }
    }

    static func displayHost(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }

    /// Writes `port` to `file` through a temporary file and a rename, so a reader never sees half of it.
    static func writePort(_ port: UInt16, to file: String) throws {
        let temporary = file + ".tmp\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SystemError(code: errno) }
        let bytes = Array("\(port)\n".utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count else { throw SystemError(code: errno) }
        try FileSystem.rename(temporary, to: file)
    }
}
