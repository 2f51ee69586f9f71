import Foundation
import Taskiq
import Testing

/// A Python peer script run as a child process, read line by line.
///
/// The venv lives at the package root (`.venv`, found by walking up from this file). When it is
/// missing or cannot import the module, interop tests are skipped with install instructions,
/// except under CI (environment variable `CI` set), where they fail.
package final class PythonPeer: Sendable {
    /// The package root (see ``TestPaths``).
    package static var packageRoot: URL { TestPaths.packageRoot }

    package static let python = packageRoot.appendingPathComponent(".venv/bin/python")
    package static let installHint = "python3 -m venv .venv && .venv/bin/pip install pyzmq"
    package static let isCI = ProcessInfo.processInfo.environment["CI"] != nil

    /// Whether the venv's python can `import zmq`; checked once.
    package static let hasPyzmq: Bool = {
        guard FileManager.default.isExecutableFile(atPath: python.path) else { return false }
        let process = Process()
        process.executableURL = python
        process.arguments = [
            "-c", "import importlib.util, sys; sys.exit(0 if all(importlib.util.find_spec(m) for m in sys.argv[1:]) else 1)", "zmq",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    /// Whether the venv's python can `import taskiq_aio_pika` (the RabbitMQ peer); checked once.
    package static let hasAioPika: Bool = {
        guard FileManager.default.isExecutableFile(atPath: python.path) else { return false }
        let process = Process()
        process.executableURL = python
        process.arguments = [
            "-c", "import importlib.util, sys; sys.exit(0 if all(importlib.util.find_spec(m) for m in sys.argv[1:]) else 1)",
            "taskiq_aio_pika",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    /// Runs the RabbitMQ interop tests unless taskiq-aio-pika is missing outside CI.
    package static var shouldRunAioPika: Bool { (hasAioPika && RabbitMQServer.isInstalled) || isCI }

    /// Whether the venv's python can `import taskiq_nats` (the NATS peer); checked once.
    package static let hasTaskiqNATS: Bool = {
        guard FileManager.default.isExecutableFile(atPath: python.path) else { return false }
        let process = Process()
        process.executableURL = python
        process.arguments = [
            "-c", "import importlib.util, sys; sys.exit(0 if all(importlib.util.find_spec(m) for m in sys.argv[1:]) else 1)", "taskiq_nats",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    /// Runs the NATS interop tests unless taskiq-nats or nats-server is missing outside CI.
    package static var shouldRunTaskiqNATS: Bool { (hasTaskiqNATS && NATSServer.executable != nil) || isCI }

    /// Why the NATS interop tests were skipped.
    package static let taskiqNATSSkipMessage: Comment =
        "Python taskiq-nats or nats-server is not installed; run scripts/install-peers.sh to run the NATS interop tests"

    /// Runs the interop test unless the peer is missing outside CI (then it is skipped).
    package static var shouldRun: Bool { hasPyzmq || isCI }

    /// Fails the test when the peer is missing (only reached under CI); `true` when present.
    package static func requirePeer() -> Bool {
        if !hasPyzmq {
            Issue.record("pyzmq peer missing at \(python.path) while CI is set; install it with: \(installHint)")
        }
        return hasPyzmq
    }

    private let process: Process
    private let lines: AsyncStream<String>
    private let errorOutput = MutexBox("")
    private let exit = OnceContinuation<Int32>()

    /// Starts `Tests/Peers/<script>` with `arguments`.
    package init(script: String = "zmq_peer.py", _ arguments: [String]) throws {
        process = Process()
        process.executableURL = Self.python
        process.arguments = ["-u", Self.packageRoot.appendingPathComponent("Tests/Peers/\(script)").path] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        lines = stream
        let reader = output.fileHandleForReading
        let errorReader = errors.fileHandleForReading
        let thread = Thread {
            var pending = Data()
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: 0x0A) {
                    continuation.yield(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                    pending.removeSubrange(pending.startIndex...newline)
                }
            }
            continuation.finish()
        }
        thread.start()
        let errorThread = Thread { [errorOutput] in
            while true {
                let chunk = errorReader.availableData
                if chunk.isEmpty { break }
                errorOutput.withLock { $0 += String(decoding: chunk, as: UTF8.self) }
            }
        }
        errorThread.start()
        let exit = exit
        process.terminationHandler = { exit.resume(with: .success($0.terminationStatus)) }
        try process.run()
    }

    /// The child's standard error so far, for failure messages.
    package var stderr: String { errorOutput.value }

    /// Waits for the next line starting with `prefix`, skipping others; throws on timeout or EOF.
    package func line(startingWith prefix: String, timeout: Double = 90) async throws -> String {
        let lines = lines
        let found = try await withTimeout(seconds: timeout) { () -> String? in
            for await line in lines where line.hasPrefix(prefix) { return line }
            return nil
        }
        guard let found else {
            throw PeerFailure(description: "peer exited before printing \"\(prefix)\"; stderr: \(stderr)")
        }
        return found
    }

    /// Reads `count` lines starting with `prefix`.
    package func lines(startingWith prefix: String, count: Int, timeout: Double = 90) async throws -> [String] {
        var result: [String] = []
        for _ in 0..<count { result.append(try await line(startingWith: prefix, timeout: timeout)) }
        return result
    }

    /// The endpoint from the peer's `bound <endpoint>` line.
    package func boundEndpoint() async throws -> String {
        String(try await line(startingWith: "bound ").dropFirst("bound ".count))
    }

    /// Waits for the child to exit and returns its status.
    package func waitForExit(timeout: Double = 90) async throws -> Int32 {
        let exit = exit
        return try await withTimeout(seconds: timeout) { try await exit.value }
    }

    package func terminate() {
        if process.isRunning { process.terminate() }
    }

    deinit { terminate() }
}

struct PeerFailure: Error, CustomStringConvertible {
    package var description: String
}
