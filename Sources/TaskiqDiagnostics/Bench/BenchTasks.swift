import Taskiq
import TaskiqConfig

/// The tasks `taskiq-run bench` kicks, registered by the runner on whatever broker a configuration
/// declares, so that any configuration can be benchmarked.
package enum BenchTasks {
    /// Takes the payload string and returns its length: the smallest task that still moves an
    /// argument and a result through the whole pipeline.
    package static let noop = TaskDefinition("taskiq.bench.noop", parameters: ["payload"]) { (payload: String) async throws -> Int in
        BenchWorkerProbe.shared.recordExecution()
        return payload.utf8.count
    }

    /// Writes the worker's counters to its report file, so the bench knows the worker is up
    /// (before the run) and how far it got (after it).
    package static let mark = TaskDefinition("taskiq.bench.mark") { () async throws -> Int in
        BenchWorkerProbe.shared.writeReport()
        return 0
    }

    /// Waits at ``BenchGate`` before returning the payload's length: memory mode's queued task.
    package static let hold = TaskDefinition("taskiq.bench.hold", parameters: ["payload"]) { (payload: String) async throws -> Int in
        await BenchGate.shared.pass()
        return payload.utf8.count
    }

    /// The module the runner registers.
    package static let module = TaskModule("taskiq.bench", tasks: [noop, mark, hold])
}
