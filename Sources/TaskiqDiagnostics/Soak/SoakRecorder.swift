#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization
import Taskiq
import TaskiqConfig

/// Appends the sequence number of every ``SoakTasks/record`` a worker runs to a file of its own,
/// so `taskiq-run soak` can count executions without trusting the system it tests.
///
/// The file is `<directory>/records-<pid>.txt`, opened `O_APPEND`; each execution is one
/// `write(2)` of `"<sequence>\n"` made before the task returns. A worker killed with `SIGKILL`
/// therefore never hides an execution whose result or acknowledgement was sent, and a torn
/// line cannot occur (a completed `write` of a few bytes to a regular file lands whole).
package final class SoakRecorder: Sendable {
    /// The environment variable naming the directory; a worker loads the soak tasks when it is set.
    package static let directoryVariable = "TASKIQ_SOAK_RECORDS"
    /// The process's recorder.
    package static let shared = SoakRecorder()

    private let descriptor = Atomic<Int32>(-1)

    /// Opens (creating) this process's record file in `directory`.
    /// - Returns: The file's path.
    /// - Throws: ``TaskiqError`` when the file cannot be opened.
    @discardableResult
    package func install(directory: String) throws -> String {
        let path = Self.path(directory: directory, pid: getpid())
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw TaskiqError(.invalidArguments, "cannot open the soak record file \(path) (\(Self.directoryVariable) names its directory): \(String(cString: strerror(errno)))")
        }
        let previous = descriptor.exchange(fd, ordering: .acquiringAndReleasing)
        if previous >= 0 { close(previous) }
        return path
    }

    /// Appends `sequence` with a single `write(2)`.
    /// - Throws: ``TaskiqError`` when the recorder is not installed or the write fails or is short.
    package func record(_ sequence: Int) throws {
        let fd = descriptor.load(ordering: .acquiring)
        guard fd >= 0 else {
            throw TaskiqError(.invalidArguments, "taskiq.soak.record runs only in a worker started with \(Self.directoryVariable) set")
        }
        var line = String(sequence)
        line.append("\n")
        let written = line.withUTF8 { bytes in write(fd, bytes.baseAddress, bytes.count) }
        guard written == line.utf8.count else {
            throw TaskiqError(.invalidArguments, "cannot append sequence \(sequence) to the soak record file: "
                + (written < 0 ? String(cString: strerror(errno)) : "short write of \(written) bytes"))
        }
    }

    /// The record file of process `pid` in `directory`.
    package static func path(directory: String, pid: Int32) -> String {
        (directory as NSString).appendingPathComponent("records-\(pid).txt")
    }
}
