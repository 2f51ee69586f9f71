import Taskiq
import TaskiqConfig

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The outcome of one `taskiq-run soak` run: what the producers saw and what the workers' record
/// files say, with the verdict.
package struct SoakReport: Sendable, Hashable {
    /// Tasks asked for.
    package var requested = 0
    /// Tasks whose kick returned, successfully or not (`0..<claimed` were attempted).
    package var attempted = 0
    /// Kicks that threw: such a task may or may not be queued, so it is not expected.
    package var kickErrors = 0
    /// Results that arrived and were not errors.
    package var results = 0
    /// Results that arrived as errors.
    package var taskErrors = 0
    /// Results not seen within the result timeout.
    package var resultTimeouts = 0
    /// Distinct sequence numbers the workers recorded.
    package var executed = 0
    /// Recorded executions beyond the first of each sequence number.
    package var duplicated = 0
    /// Kicked sequence numbers no worker recorded.
    package var lost = 0
    /// Up to 20 of the lost sequence numbers.
    package var lostSample: [Int] = []
    /// Record lines that are not a sequence number of this run, plus files ending in a partial line.
    package var malformed = 0
    /// Record files, one per worker process that ran a soak task.
    package var recordFiles = 0
    /// Seconds spent kicking and awaiting results.
    package var kickSeconds = 0.0
    /// Seconds after that until the ledger showed every kicked task (or the drain timeout).
    package var drainSeconds = 0.0
    /// The first error a producer met, for the report.
    package var firstError: String? = nil

    /// Why the run failed; empty when it passed.
    package var failures: [String] {
        var reasons: [String] = []
        if lost > 0 { reasons.append("\(lost) kicked tasks were never executed") }
        if attempted < requested { reasons.append("only \(attempted) of \(requested) tasks were kicked before the time limit") }
        if kickErrors > 0 { reasons.append("\(kickErrors) kicks failed") }
        if taskErrors > 0 { reasons.append("\(taskErrors) results were errors") }
        if resultTimeouts > 0 { reasons.append("\(resultTimeouts) results did not arrive in time") }
        if malformed > 0 { reasons.append("\(malformed) malformed record lines or torn files") }
        return reasons
    }

    /// Whether nothing was lost and nothing else went wrong.
    package var passed: Bool { failures.isEmpty }

    /// The report as aligned lines, the verdict first.
    package var text: String {
        func number(_ value: Int) -> String { String(value) }
        let rate = kickSeconds > 0 ? Double(results) / kickSeconds : 0
        var lines = [
            "soak: \(passed ? "PASS" : "FAIL")",
            "tasks       \(number(requested)) requested, \(number(attempted)) kicked, \(number(kickErrors)) kick errors",
            "results     \(number(results)) ok, \(number(taskErrors)) errors, \(number(resultTimeouts)) timeouts",
            "executed    \(number(executed)) distinct sequence numbers in \(recordFiles) record files",
            "duplicated  \(number(duplicated))",
            "lost        \(number(lost))" + (lostSample.isEmpty ? "" : " (e.g. \(lostSample.map(String.init).joined(separator: ", ")))"),
            "malformed   \(number(malformed))",
            "duration    \(NumberText.fixed(kickSeconds, decimals: 1)) s kicking (\(NumberText.fixed(rate, decimals: 0)) tasks/s), \(NumberText.fixed(drainSeconds, decimals: 1)) s draining",
        ]
        if let firstError { lines.append("first error \(firstError)") }
        for reason in failures { lines.append("FAIL: \(reason)") }
        return lines.joined(separator: "\n") + "\n"
    }
}
