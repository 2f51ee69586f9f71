import Synchronization
import Taskiq
import TaskiqConfig

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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
        let path = Self.path(directory: directory, pid: CurrentProcess.id)
        let file: FileDescriptor
        do {
            file = try FileDescriptor.open(path, [.writeOnly, .create, .append])
        } catch {
            throw TaskiqError(
                .invalidArguments, "cannot open the soak record file \(path) (\(Self.directoryVariable) names its directory): \(error)")
        }
        let previous = descriptor.exchange(file.rawValue, ordering: .acquiringAndReleasing)
        if previous >= 0 { FileDescriptor(rawValue: previous).close() }
        return path
    }

    /// Appends `sequence` with one appending write (retried only if the kernel writes it short).
    /// - Throws: ``TaskiqError`` when the recorder is not installed or the write fails or is short.
    package func record(_ sequence: Int) throws {
        let fd = descriptor.load(ordering: .acquiring)
        guard fd >= 0 else {
            throw TaskiqError(.invalidArguments, "taskiq.soak.record runs only in a worker started with \(Self.directoryVariable) set")
        }
        var line = String(sequence)
        line.append("\n")
        if let failure = line.withUTF8({ FileDescriptor(rawValue: fd).writeAll(UnsafeRawBufferPointer($0)) }) {
            throw TaskiqError(.invalidArguments, "cannot append sequence \(sequence) to the soak record file: \(failure)")
        }
    }

    /// The record file of process `pid` in `directory`.
    package static func path(directory: String, pid: Int32) -> String {
        FileSystem.path("records-\(pid).txt", in: directory)
    }
}
