import Taskiq

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The supervisor's `/metrics`: the sum of what its worker processes serve.
///
/// The supervisor makes a private directory and passes it to its workers
/// (``MetricsService/portDirectoryVariable``); each worker listens on a loopback port of the
/// system's choice and writes it to `<index>.port` there (a replacement overwrites it). At every
/// scrape the supervisor reads the ports, fetches each worker's exposition with a short timeout
/// and serves the sum of the series with identical labels (see ``MetricsAggregation``), plus
/// `taskiq_worker_processes_scraped` and its own process figures under `taskiq_supervisor_*`. A
/// worker that is down or restarting is left out of that scrape; the endpoint keeps answering.
final class SupervisorMetrics: Sendable {
    /// The directory the workers write their ports to.
    let directory: String
    private let workers: Int
    private let endpoint: MetricsEndpoint

    /// Makes the port directory and binds the configured address.
    /// - Throws: ``ConfigError`` at `metrics.listen` when the address cannot be bound, or
    ///   ``SystemError`` when no directory can be made.
    init(_ settings: MetricsSettings, workers: Int, file: String, logger: Logger) throws {
        var template = Array("/tmp/taskiq-metrics-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw SystemError(code: errno)
        }
        let directory = String(cString: made)
        self.directory = directory
        self.workers = workers
        do {
            endpoint = try MetricsEndpoint(host: settings.host, port: settings.port) {
                Self.exposition(directory: directory, workers: workers)
            }
        } catch {
            rmdir(directory)
            throw ConfigError(
                .invalidAddress, file: file, path: "metrics.listen",
                "cannot serve metrics on \(settings.listen): \(error); expected a free local address")
        }
        logger.info(
            "serving the metrics of \(workers) worker processes on http://\(MetricsService.displayHost(settings.host)):\(endpoint.port)/metrics"
        )
    }

    /// The variables the workers need.
    var environment: [String: String] { [MetricsService.portDirectoryVariable: directory] }

    /// Closes the endpoint and removes the directory.
    func shutdown() {
        endpoint.shutdown()
        for index in 0..<workers { FileSystem.remove("\(directory)/\(index).port") }
        rmdir(directory)
    }

    /// The summed exposition of the workers reachable now.
    static func exposition(directory: String, workers: Int) -> String {
        var expositions: [[MetricFamilySnapshot]] = []
        for index in 0..<workers {
            guard let text = try? String(contentsOfFile: "\(directory)/\(index).port", encoding: .utf8),
                let port = UInt16(text.trimmingASCIIWhitespace()), port > 0,
                let body = fetchMetrics(port: port)
            else { continue }
            expositions.append(PrometheusTextParser.parse(body))
        }
        var families = MetricsAggregation.sum(expositions)
        families.append(
            MetricFamilySnapshot(
                name: "taskiq_worker_processes_scraped", help: "Worker processes whose metrics this scrape includes", type: .gauge,
                samples: [MetricSample(value: Double(expositions.count))]))
        families.append(
            MetricFamilySnapshot(
                name: "taskiq_worker_processes", help: "Worker processes the supervisor keeps running", type: .gauge,
                samples: [MetricSample(value: Double(workers))]))
        for family in ProcessMetrics.collect() {
            var own = family
            own.name = "taskiq_supervisor_" + family.name
            families.append(own)
        }
        return PrometheusTextEncoder.encode(families)
    }

    /// `GET /metrics` from a worker on loopback; `nil` when it does not answer 200 within a second.
    static func fetchMetrics(port: UInt16) -> String? {
        guard let connection = try? TCPConnection.connect(host: "127.0.0.1", port: port, timeout: .seconds(1)) else { return nil }
        defer {
            connection.shutdown()
            connection.close()
        }
        guard (try? connection.sendAll(Array("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8))) != nil else {
            return nil
        }
        let deadline = ContinuousClock.now.advanced(by: .seconds(2))
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while response.count < 64 << 20 {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero, connection.waitReadable(timeout: remaining) else { return nil }
            guard let count = try? buffer.withUnsafeMutableBytes({ raw throws(TCPError) in try connection.receive(into: raw) }) else {
                return nil
            }
            if count == 0 { break }
            response += buffer[..<count]
        }
        guard response.starts(with: Array("HTTP/1.1 200".utf8)),
            let separator = response.indices.first(where: { index in
                index + 3 < response.count && response[index] == 13 && response[index + 1] == 10
                    && response[index + 2] == 13 && response[index + 3] == 10
            })
        else { return nil }
        return String(decoding: response[(separator + 4)...], as: UTF8.self)
    }
}
