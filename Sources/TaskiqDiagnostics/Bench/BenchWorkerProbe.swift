import Synchronization
import Taskiq
import TaskiqConfig

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Counts bench tasks in a worker process and writes the count to the file the bench named in
/// ``BenchWorkerProbe/reportVariable``: on each `taskiq.bench.mark` task and once more on exit.
///
/// Brokers without acknowledgements (ZeroMQ) lose tasks silently, and a worker may have no result
/// backend the bench can read; the worker's own count is then the only honest measure of drops.
package final class BenchWorkerProbe: Sendable {
    /// The environment variable holding the report file's path; the worker loads the bench tasks when it is set.
    package static let reportVariable = "TASKIQ_BENCH_REPORT"
    /// The process's probe.
    package static let shared = BenchWorkerProbe()

    private let enabled = Atomic<Bool>(false)
    private let executed = Atomic<Int>(0)
    private let lastCompletion = Atomic<Int>(0)
    private let path = Mutex<String?>(nil)
    private let receiver = Mutex<Receiver?>(nil)

    /// Starts writing reports to `path`, with the receiver's counters when there is one.
    package func install(path: String, receiver: Receiver?) {
        self.path.withLock { $0 = path }
        self.receiver.withLock { $0 = receiver }
        enabled.store(true, ordering: .releasing)
    }

    /// Counts one executed `noop` and stamps the wall-clock time, so the bench can end its timing
    /// at the worker's last completion rather than when it noticed.
    ///
    /// Does nothing until installed: in-process runs count results instead, and two threads
    /// bumping one shared counter per task would bill the bench's bookkeeping to the system.
    func recordExecution() {
        guard enabled.load(ordering: .relaxed) else { return }
        executed.add(1, ordering: .relaxed)
        lastCompletion.store(Self.realtimeNanoseconds(), ordering: .relaxed)
    }

    /// Writes the counters atomically (temporary file, then rename); does nothing when not installed.
    package func writeReport() {
        guard let path = path.withLock({ $0 }) else { return }
        let stats = receiver.withLock { $0 }?.statistics
        let report = BenchWorkerReport(
            executed: executed.load(ordering: .relaxed),
            lastCompletionNanoseconds: lastCompletion.load(ordering: .relaxed),
            failed: stats?.failed ?? 0, received: stats?.received ?? 0)
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(report.encoded)) else { return }
        try? FileSystem.rename(temporary, to: path)
    }

    /// `CLOCK_REALTIME` in nanoseconds: comparable between the bench and its worker processes.
    package static func realtimeNanoseconds() -> Int {
        let (seconds, nanoseconds) = WallClock.now()
        return seconds * 1_000_000_000 + nanoseconds
    }
}
