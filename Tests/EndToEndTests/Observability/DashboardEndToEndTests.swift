import Foundation
import TaskiqTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Whether the browser half is installed: Debian's `chromium` and `chromium-driver`, and
/// selenium in the venv. Under CI a missing piece fails the suite instead of skipping it.
private let browserInstalled: Bool = {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"),
        FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver"),
        FileManager.default.isExecutableFile(atPath: PythonPeer.python.path)
    else { return false }
    let process = Process()
    process.executableURL = PythonPeer.python
    process.arguments = [
        "-c", "import importlib.util, sys; sys.exit(0 if all(importlib.util.find_spec(m) for m in sys.argv[1:]) else 1)", "selenium",
    ]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
}()

private let dashboardEndToEndShouldRun = (DashboardServer.isInstalled && browserInstalled) || PythonPeer.isCI

/// The issue's acceptance test: a task run by a Swift worker (`taskiq-run worker` with the
/// `dashboard` middleware) shows in taskiq-dashboard's page, read in headless Chromium, with its
/// name, status and arguments; a failing task shows as failed with its error.
@Suite(
    .enabled(
        if: dashboardEndToEndShouldRun,
        "taskiq-dashboard, selenium, chromium or chromedriver is missing; run scripts/install-peers.sh and apt-get install chromium chromium-driver"
    ))
struct DashboardEndToEndTests {
    struct BrowserPeerFailure: Error, CustomStringConvertible {
        var description: String
    }

    struct Row: Decodable {
        var id: String
        var name: String
        var status: String
        var worker: String
        var args: [Int]?
        var error: String?
    }

    /// Reads the task's row and details in headless Chromium, once its status is final.
    private func rowInBrowser(dashboard: DashboardServer, taskID: String) async throws -> Row {
        let peer = try PythonPeer(script: "dashboard_page.py", [dashboard.url, taskID, "--timeout", "120"])
        defer { peer.terminate() }
        let line = try await peer.line(startingWith: "", timeout: 180)
        // Let it quit the browser (which a SIGTERM in the middle of quitting would orphan).
        _ = try? await peer.waitForExit(timeout: 60)
        guard line.hasPrefix("row ") else {
            throw BrowserPeerFailure(
                description: "dashboard_page.py: \(line)\nstderr: \(peer.stderr)\ndashboard log: \(dashboard.log.suffix(3000))")
        }
        return try JSONDecoder().decode(Row.self, from: Data(line.dropFirst(4).utf8))
    }

    @Test func aSwiftWorkersTasksShowInTheDashboardPage() async throws {
        #expect(
            DashboardServer.isInstalled && browserInstalled,
            "CI must run this test: install taskiq-dashboard[server] and selenium in .venv, and chromium chromium-driver")
        let dashboard = try await DashboardServer.start()
        defer { dashboard.stop() }
        let port = freeLoopbackPort()
        let directory = try TemporaryConfigDirectory(files: [
            "taskiq.json": """
            {"broker": {"type": "zeromq", "pattern": "push_pull",
                        "zmq_pub_host": "tcp://127.0.0.1:\(port)", "zmq_sub_host": "tcp://127.0.0.1:\(port)"},
             "result_backend": {"type": "dummy"},
             "middlewares": [{"type": "dashboard", "url": "\(dashboard.url)", "api_token": "${TASKIQ_DASHBOARD_TOKEN}",
                              "broker_name": "swift-e2e-worker", "timeout": 30}],
             "tasks": {"modules": ["examples"]},
             "worker": {"workers": 1, "shutdown_timeout": 30, "log_level": "debug"}}
            """
        ])
        let file = directory.path("taskiq.json")
        let environment = ["TASKIQ_DASHBOARD_TOKEN": dashboard.token]

        let check = try await TaskiqRunProcess.run(["check", "-c", file], environment: environment)
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains(#""type": "dashboard""#), "\(check.stdout)")
        #expect(!check.stdout.contains(dashboard.token), "check must mask the token:\n\(check.stdout)")

        let worker = try RunningProcess(["worker", "-c", file], environment: environment)
        defer { worker.signal(SIGKILL) }
        try await worker.waitForLine(containing: "connected PULL")

        let add = try await TaskiqRunProcess.run(["kick", "-c", file, "examples.add", "20", "22"], environment: environment)
        #expect(add.status == 0, "\(add.stderr)")
        let fail = try await TaskiqRunProcess.run(["kick", "-c", file, "examples.fail"], environment: environment)
        #expect(fail.status == 0, "\(fail.stderr)")
        let addID = add.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let failID = fail.stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        let succeeded = try await rowInBrowser(dashboard: dashboard, taskID: addID)
        #expect(succeeded.id == DashboardServer.dashedUUID(addID))
        #expect(succeeded.name == "examples.add")
        #expect(succeeded.status == "Completed")
        #expect(succeeded.worker == "swift-e2e-worker")
        #expect(succeeded.args == [20, 22])

        let failed = try await rowInBrowser(dashboard: dashboard, taskID: failID)
        #expect(failed.name == "examples.fail")
        #expect(failed.status == "Failure")
        #expect(failed.error?.contains("examples.fail always fails") == true, "\(String(describing: failed.error))")

        // The producer's queued event (kick's postSend) and the worker's started and executed
        // events all reached the dashboard, as its access log shows.
        for event in ["queued", "started", "executed"] {
            try await eventually("the \(event) event of \(addID) reached the dashboard", seconds: 30) {
                dashboard.log.contains("POST /api/tasks/\(addID)/\(event) HTTP/1.1\" 204")
            }
        }

        worker.signal(SIGTERM)
        let status = try await worker.waitForExit()
        #expect(status == 0, "\(worker.lines.joined(separator: "\n"))")
        #expect(
            !worker.lines.contains { $0.contains("taskiq-dashboard") && $0.contains("cannot report") },
            "\(worker.lines.joined(separator: "\n"))")
        _ = directory
    }
}
