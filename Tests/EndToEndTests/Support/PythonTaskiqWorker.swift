import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A Python `taskiq worker -w 1`: taskiq's process manager and its one worker child.
///
/// Stopping is by SIGKILL, parent first so it cannot restart the child: taskiq 0.13's ZeroMQ
/// worker does not stop on the SIGINT its manager forwards (observed: it stays blocked receiving),
/// and a graceful Python shutdown is not what these tests are about.
final class PythonTaskiqWorker: Sendable {
    /// The manager process, whose collected lines include the child's output.
    let process: RunningProcess
    private let childPID = Mutex<Int32?>(nil)

    init(_ process: RunningProcess) {
        self.process = process
    }

    /// Waits until the worker child has logged "Listening started." (just before it connects).
    func waitUntilListening() async throws {
        let pid = try await process.waitFor("the pid of taskiq's worker-0") { lines in
            lines.lazy.compactMap(Self.workerPID).first
        }
        childPID.withLock { $0 = pid }
        try await process.waitForLine(containing: "Listening started.")
    }

    /// Kills the manager and its child and waits for the manager to exit.
    func stop() async throws {
        killBoth()
        _ = try await process.waitForExit()
    }

    private func killBoth() {
        process.signal(SIGKILL)
        if let pid = childPID.withLock({ $0 }) { kill(pid, SIGKILL) }
    }

    /// The pid in taskiq's "Started process worker-0 with pid N" line.
    static func workerPID(_ line: String) -> Int32? {
        guard let range = line.range(of: "Started process worker-0 with pid ") else { return nil }
        return Int32(line[range.upperBound...].prefix { $0.isNumber })
    }

    deinit { killBoth() }
}
