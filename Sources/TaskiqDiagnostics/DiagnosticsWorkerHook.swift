import Taskiq
import TaskiqConfig

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The one point where the diagnostics reach into a worker process: a worker that `bench` or a
/// soak script started, told so by its environment, loads their tasks and reports to them.
///
/// - ``BenchWorkerProbe/reportVariable`` set: registers the bench tasks on the listened broker,
///   counts their executions with the receiver's statistics and writes the report file, on each
///   `taskiq.bench.mark` task and once more on exit.
/// - ``SoakRecorder/directoryVariable`` set: registers `taskiq.soak.record` and opens this
///   process's record file in that directory.
struct DiagnosticsWorkerHook: WorkerHook {
    /// The process's environment, read once.
    let environment: [String: String]

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    private var benchReport: String? { environment[BenchWorkerProbe.reportVariable] }

    func workerWillStart(_ system: TaskiqSystem, broker: String, logger: Logger) throws {
        if benchReport != nil { system.broker(named: broker)?.register(BenchTasks.module) }
        if let soakRecords = environment[SoakRecorder.directoryVariable] {
            system.broker(named: broker)?.register(SoakTasks.module)
            let path = try SoakRecorder.shared.install(directory: soakRecords)
            logger.info("recording taskiq.soak.record executions in \(path)")
        }
    }

    func workerWillRun(receiver: Receiver?) {
        if let benchReport { BenchWorkerProbe.shared.install(path: benchReport, receiver: receiver) }
    }

    func workerDidStop() {
        BenchWorkerProbe.shared.writeReport()
    }
}
