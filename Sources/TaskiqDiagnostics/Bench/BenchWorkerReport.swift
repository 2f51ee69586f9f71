import Taskiq
import TaskiqConfig

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a worker process tells the bench.
package struct BenchWorkerReport: Sendable, Hashable {
    /// `noop` tasks run.
    package var executed: Int
    /// When the last one finished (`CLOCK_REALTIME` ns); 0 when none did.
    package var lastCompletionNanoseconds: Int
    /// Tasks that failed in the receiver.
    package var failed: Int
    /// Deliveries taken from the broker (bench tasks and marks).
    package var received: Int

    package var encoded: [UInt8] {
        JSONValue.object([
            "executed": .int(executed), "last_completion_ns": .int(lastCompletionNanoseconds),
            "failed": .int(failed), "received": .int(received),
        ]).serialized(style: .compact)
    }

    package init(executed: Int, lastCompletionNanoseconds: Int, failed: Int, received: Int) {
        self.executed = executed
        self.lastCompletionNanoseconds = lastCompletionNanoseconds
        self.failed = failed
        self.received = received
    }

    /// Reads a report file; `nil` when it is missing or not a report.
    package init?(contentsOf path: String) {
        guard let data = FileManager.default.contents(atPath: path),
            case .object(let object)? = try? JSONParser().parse(Array(data)),
            let executed = object["executed"]?.intValue
        else { return nil }
        self.init(
            executed: executed, lastCompletionNanoseconds: object["last_completion_ns"]?.intValue ?? 0,
            failed: object["failed"]?.intValue ?? 0, received: object["received"]?.intValue ?? 0)
    }
}
