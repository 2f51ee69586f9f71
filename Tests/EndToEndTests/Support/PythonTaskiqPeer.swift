import Foundation
import TaskiqTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Python taskiq 0.13 (with pyzmq) from `.venv` at the package root, for taskiq-level interop tests.
///
/// When the venv is missing or cannot import taskiq and zmq, the tests are skipped with the install
/// command, except under CI (environment variable `CI` set), where they fail.
enum PythonTaskiqPeer {
    static let venv = TestPaths.packageRoot.appendingPathComponent(".venv/bin")
    static let python = venv.appendingPathComponent("python")
    /// The peer programs: `Tests/Peers`.
    static let peers = TestPaths.packageRoot.appendingPathComponent("Tests/Peers")
    static let installHint = "bash scripts/install-peers.sh"
    static let isCI = ProcessInfo.processInfo.environment["CI"] != nil

    /// Whether the venv's python imports taskiq and zmq; checked once.
    static let isInstalled: Bool = {
        guard FileManager.default.isExecutableFile(atPath: python.path) else { return false }
        let process = Process()
        process.executableURL = python
        process.arguments = [
            "-c", "import importlib.util, sys; sys.exit(0 if all(importlib.util.find_spec(m) for m in sys.argv[1:]) else 1)", "taskiq",
            "zmq",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    /// Runs the interop test unless the peer is missing outside CI (then it is skipped).
    static var shouldRun: Bool { isInstalled || isCI }

    /// Fails the test when the peer is missing (only reached under CI); `true` when present.
    static func requirePeer() -> Bool {
        if !isInstalled {
            Issue.record("Python taskiq peer missing at \(python.path) while CI is set; install it with: \(installHint)")
        }
        return isInstalled
    }

    /// Starts `Peers/<script>` with `arguments`; stdout and stderr are collected as lines.
    static func script(_ script: String, _ arguments: [String]) throws -> RunningProcess {
        try start(python, ["-u", peers.appendingPathComponent(script).path] + arguments)
    }

    /// Starts `taskiq worker -w 1 <broker>` with `Peers` importable, at debug level.
    static func worker(broker: String, environment: [String: String]) throws -> PythonTaskiqWorker {
        PythonTaskiqWorker(
            try start(
                venv.appendingPathComponent("taskiq"),
                ["worker", "-w", "1", "--log-level", "DEBUG", "--app-dir", peers.path, broker],
                environment: environment))
    }

    private static func start(
        _ executable: URL, _ arguments: [String],
        environment: [String: String] = [:]
    ) throws -> RunningProcess {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = peers
        var env = ProcessInfo.processInfo.environment
        env["PYTHONUNBUFFERED"] = "1"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        return try RunningProcess(process, collectingStandardOutput: true)
    }
}
