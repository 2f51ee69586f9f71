import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A real Prometheus server for one test, scraping targets every second: a free loopback port, a
/// temporary directory for its configuration and storage, stopped (SIGTERM) when done.
///
/// ```swift
/// @Suite(.enabled(if: PrometheusServer.shouldRun, PrometheusServer.skipMessage)) struct MyTests {
///     let prometheus = try await PrometheusServer.start(targets: ["127.0.0.1:\(port)"])
///     let value = try await prometheus.waitForValue("success_tasks_total", equalTo: 3)
/// }
/// ```
/// When `prometheus` is not installed, gated suites are skipped — unless `CI` is set, where they
/// run and fail.
package final class PrometheusServer: Sendable {
    /// The executable, `/usr/bin/prometheus` or the first `prometheus` on `PATH`.
    package static let executable: String? = {
        let candidates =
            ["/usr/bin/prometheus"]
            + (ProcessInfo.processInfo.environment["PATH"] ?? "")
            .split(separator: ":").map { "\($0)/prometheus" }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Whether Prometheus tests run: the server is installed, or `CI` is set (so they fail there).
    package static let shouldRun = executable != nil || ProcessInfo.processInfo.environment["CI"] != nil

    /// Why gated suites are skipped.
    package static let skipMessage: Comment = "prometheus is not installed; run `apt-get install prometheus` to run the metrics tests"

    /// The port of the query API.
    package let port: UInt16
    private let process: Process
    private let directory: URL

    private init(port: UInt16, process: Process, directory: URL) {
        self.port = port
        self.process = process
        self.directory = directory
    }

    /// Starts Prometheus scraping `targets` (`host:port`) every second and waits until it is ready.
    package static func start(targets: [String]) async throws -> PrometheusServer {
        guard let executable else { throw StartError(description: "\(skipMessage)") }
        var lastError: (any Error)?
        for _ in 0..<3 {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "taskiq-prometheus-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let targetList = targets.map { "'\($0)'" }.joined(separator: ", ")
            let configuration = """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 900ms
                scrape_configs:
                  - job_name: taskiq
                    static_configs:
                      - targets: [\(targetList)]
                """
            try Data(configuration.utf8).write(to: directory.appendingPathComponent("prometheus.yml"))
            let port = freeLoopbackPort()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = [
                "--config.file=\(directory.appendingPathComponent("prometheus.yml").path)",
                "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
                "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
            ]
            let log = FileHandle(forWritingAtPath: "/dev/null")
            process.standardOutput = log
            process.standardError = log
            try process.run()
            let server = PrometheusServer(port: port, process: process, directory: directory)
            let deadline = ContinuousClock.now.advanced(by: .seconds(30))
            while ContinuousClock.now < deadline, process.isRunning {
                if await LoopbackHTTP.fetch(port: port, path: "/-/ready", timeout: .seconds(1))?.status == 200 { return server }
                try await Task.sleep(for: .milliseconds(50))  // a poll interval against a deadline
            }
            lastError = StartError(description: "prometheus on port \(port) was not ready within 30 s")
            await server.stop()
        }
        throw lastError ?? StartError(description: "prometheus did not start")
    }

    /// The result of an instant query: each series' labels and value.
    package func query(_ expression: String) async throws -> [(labels: [String: String], value: Double)] {
        let encoded = expression.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? expression
        guard let response = await LoopbackHTTP.fetch(port: port, path: "/api/v1/query?query=\(encoded)"), response.status == 200 else {
            throw StartError(description: "prometheus query \(expression) failed")
        }
        guard let object = try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any],
            let data = object["data"] as? [String: Any], let results = data["result"] as? [[String: Any]]
        else {
            throw StartError(description: "unexpected answer to \(expression): \(response.body)")
        }
        return results.compactMap { entry in
            guard let metric = entry["metric"] as? [String: String], let value = entry["value"] as? [Any],
                value.count == 2, let text = value[1] as? String, let number = Double(text)
            else { return nil }
            return (metric, number)
        }
    }

    /// Polls `expression` until its single value satisfies `condition`, or throws after `seconds`
    /// with the last answer.
    @discardableResult
    package func waitForValue(_ expression: String, seconds: Double = 45, where condition: (Double) -> Bool) async throws -> Double {
        let deadline = ContinuousClock.now.advanced(by: .milliseconds(Int(seconds * 1000)))
        var last: [(labels: [String: String], value: Double)] = []
        while ContinuousClock.now < deadline {
            last = (try? await query(expression)) ?? []
            if last.count == 1, condition(last[0].value) { return last[0].value }
            try await Task.sleep(for: .milliseconds(200))  // a poll interval against a deadline
        }
        throw StartError(description: "\(expression) did not reach the expected value in \(seconds) s; last answer: \(last)")
    }

    /// Stops the server and removes its directory.
    package func stop() async {
        if process.isRunning {
            process.terminate()
            let deadline = ContinuousClock.now.advanced(by: .seconds(10))
            while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Why the server could not be used.
    package struct StartError: Error, CustomStringConvertible {
        package var description: String
    }
}
