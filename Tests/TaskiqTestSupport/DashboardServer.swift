import Foundation
import Taskiq
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A private taskiq-dashboard (`python -m taskiq_dashboard.api`, SQLite) for one test: a free
/// loopback port, a temporary directory, a random token; stopped when the test is done.
///
/// ```swift
/// @Suite(.enabled(if: DashboardServer.shouldRun, DashboardServer.skipMessage)) struct MyTests {
///     @Test func reports() async throws {
///         let dashboard = try await DashboardServer.start()
///         defer { dashboard.stop() }
///         ... dashboard.url, dashboard.token ...
///     }
/// }
/// ```
/// When the venv lacks taskiq-dashboard, suites gated on ``shouldRun`` are skipped with a message
/// saying how to install it — unless `CI` is set, where they run and fail.
package final class DashboardServer: Sendable {
    /// Why the server could not start.
    package struct StartError: Error, CustomStringConvertible {
        package var description: String
    }

    /// The dashboard's base URL, `http://127.0.0.1:<port>`.
    package let url: String
    /// The port it listens on.
    package let port: UInt16
    /// The access token it expects in the `access-token` header.
    package let token: String
    /// Its working directory (SQLite file, log).
    package let directory: URL
    private let process: Process

    /// Whether the venv's python can import taskiq-dashboard and granian; checked once.
    package static let isInstalled: Bool = {
        guard FileManager.default.isExecutableFile(atPath: PythonPeer.python.path) else { return false }
        let process = Process()
        process.executableURL = PythonPeer.python
        process.arguments = [
            "-c", "import importlib.util, sys; sys.exit(0 if all(importlib.util.find_spec(m) for m in sys.argv[1:]) else 1)",
            "taskiq_dashboard", "granian",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    /// Whether dashboard tests run: taskiq-dashboard is installed, or `CI` is set (so they fail there).
    package static var shouldRun: Bool { isInstalled || PythonPeer.isCI }

    /// Why dashboard tests were skipped.
    package static let skipMessage: Comment =
        "taskiq-dashboard is not installed in .venv; run scripts/install-peers.sh to run the dashboard tests"

    private init(port: UInt16, token: String, directory: URL, process: Process) {
        self.port = port
        self.url = "http://127.0.0.1:\(port)"
        self.token = token
        self.directory = directory
        self.process = process
    }

    /// Starts a dashboard and waits until its page answers (up to `timeout` seconds).
    package static func start(timeout: Double = 60) async throws -> DashboardServer {
        guard isInstalled else { throw StartError(description: "\(skipMessage)") }
        var lastError: (any Error)?
        for _ in 0..<3 {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("taskiq-dashboard-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let port = freeLoopbackPort()
            let token = "token-\(UUID().uuidString.prefix(12))"
            let process = Process()
            process.executableURL = PythonPeer.python
            // The test process blocks signals and Foundation's Process passes its mask on:
            // unblock them, and leave when the test process is gone, before running the server.
            process.arguments = [
                "-c",
                """
                import os, signal, threading, time, runpy
                signal.pthread_sigmask(signal.SIG_SETMASK, [])
                os.nice(10)  # a peer, not the system under test: never starve the workers and servers
                parent = os.getppid()
                def watch():
                    while os.getppid() == parent:
                        time.sleep(0.5)
                    os._exit(0)
                threading.Thread(target=watch, daemon=True).start()
                runpy.run_module("taskiq_dashboard.api", run_name="__main__", alter_sys=True)
                """,
            ]
            process.currentDirectoryURL = directory
            var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("TASKIQ_DASHBOARD__") }
            environment["TASKIQ_DASHBOARD__API__ADDRESS"] = "127.0.0.1"
            environment["TASKIQ_DASHBOARD__API__PORT"] = String(port)
            environment["TASKIQ_DASHBOARD__API__TOKEN"] = token
            environment["TASKIQ_DASHBOARD__STORAGE_TYPE"] = "sqlite"
            environment["TASKIQ_DASHBOARD__SQLITE__FILE_PATH"] = "dashboard.db"
            environment["TASKIQ_DASHBOARD__CLEANUP__IS_ENABLED"] = "false"
            environment["ENV_FILE"] = directory.appendingPathComponent("none.env").path
            process.environment = environment
            let log = directory.appendingPathComponent("dashboard.log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)  // FileHandle below throws if it failed
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
            process.standardInput = FileHandle.nullDevice
            try process.run()
            try? handle.close()
            let server = DashboardServer(port: port, token: token, directory: directory, process: process)
            do {
                try await server.waitUntilReady(timeout: timeout)
                return server
            } catch {
                lastError = error  // most likely the port was taken between probing and binding
                server.stop()
            }
        }
        throw lastError!
    }

    /// The dashboard's log so far, for failure messages.
    package var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("dashboard.log"), encoding: .utf8)) ?? ""
    }

    /// The details page of a task (`/tasks/<uuid>`), or `nil` while the dashboard does not know it.
    package func detailsPage(taskID: String) async throws -> String? {
        let endpoint = try HTTPEndpoint(url: url)
        let path = "/tasks/\(Self.dashedUUID(taskID))"
        let response = try await offThePool {
            let client = HTTPClient(endpoint: endpoint, timeout: .seconds(20))
            defer { client.close() }
            return try client.send(method: "GET", path: path, headers: [], body: [])
        }
        return response.status == 200 ? response.bodyText : nil
    }

    /// `0123...` (32 hex digits) as the dashboard writes it, `01234567-89ab-...`.
    package static func dashedUUID(_ id: String) -> String {
        guard id.count == 32 else { return id.lowercased() }
        let hex = Array(id.lowercased())
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(hex[$0]) }.joined(separator: "-")
    }

    /// Stops the server at once (SIGKILL: its SQLite file is thrown away) and removes its directory.
    package func stop() {
        if process.isRunning { killProcessTree(process.processIdentifier) }
        try? FileManager.default.removeItem(at: directory)
    }

    private func waitUntilReady(timeout: Double) async throws {
        let client = HTTPClient(endpoint: try HTTPEndpoint(url: url), timeout: .seconds(5))
        defer { client.close() }
        let deadline = ContinuousClock.now + .seconds(timeout)
        var lastProblem = "no answer"
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw StartError(description: "taskiq-dashboard on port \(port) exited: \(log.suffix(1500))")
            }
            do {
                let response = try await offThePool { try client.send(method: "GET", path: "/", headers: [], body: []) }
                if response.status == 200 { return }
                lastProblem = "GET / answered \(response.status)"
            } catch {
                lastProblem = "\(error)"
            }
            try await Task.sleep(for: .milliseconds(50))  // a poll interval against a deadline, not a synchronisation
        }
        throw StartError(description: "taskiq-dashboard on port \(port) not ready after \(timeout)s (\(lastProblem)): \(log.suffix(1500))")
    }
}
