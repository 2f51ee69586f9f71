import Taskiq
import TaskiqConfig

/// The task `taskiq-run soak` kicks, registered by the runner on the main broker when a worker
/// is started with ``SoakRecorder/directoryVariable`` set.
package enum SoakTasks {
    /// Appends its sequence number to the worker's record file, then returns it.
    package static let record = TaskDefinition("taskiq.soak.record", parameters: ["sequence"]) { (sequence: Int) async throws -> Int in
        try SoakRecorder.shared.record(sequence)
        return sequence
    }

    /// The module the runner registers.
    package static let module = TaskModule("taskiq.soak", tasks: [record])
}
