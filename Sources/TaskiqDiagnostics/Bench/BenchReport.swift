import Taskiq
import TaskiqConfig

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What one `taskiq-run bench` run measured, printed as a table or as one JSON object.
package struct BenchReport: Sendable, Hashable {
    /// The broker type measured, such as `inmemory`.
    package var broker: String
    /// `throughput` or `latency`.
    package var mode: String
    /// Tasks kicked.
    package var tasks: Int
    /// Producers kicking at once.
    package var concurrency: Int
    /// Payload bytes per task.
    package var payloadBytes: Int
    /// Wall time from the first kick to the last completion.
    package var seconds: Double
    /// Tasks that ran to completion.
    package var completed: Int
    /// Tasks that failed: a failed result, or a kick or wait that threw.
    package var errors: Int
    /// Tasks kicked that no worker ran (brokers without acknowledgements lose them silently).
    package var drops: Int
    /// Kick-to-result latencies; `nil` when results cannot be read back (no shared result backend).
    package var latency: LatencySummary?
    /// How fast the producer handed tasks to the broker, when that differs from completion.
    package var sendSeconds: Double?
    /// CPU seconds of the bench process and its worker processes.
    package var cpuSeconds: Double
    /// Peak RSS of the bench process, in bytes.
    package var selfPeakRSSBytes: Int
    /// Peak RSS of the largest worker process, in bytes; 0 when none was started.
    package var workerPeakRSSBytes: Int
    /// Resident memory per task held in flight (memory mode), in bytes.
    package var bytesPerQueuedTask: Double?
    /// Open-loop mode: the tasks per second asked for.
    package var targetRate: Double?
    /// Depth mode: what the broker server held and how fast the workers emptied it.
    package var depth: BenchDepth?
    /// Why latencies are absent or what else a reader must know.
    package var notes: [String] = []

    /// Completed tasks per second of wall time.
    package var tasksPerSecond: Double { seconds > 0 ? Double(completed) / seconds : 0 }

    /// The larger peak RSS of this process and its workers, in MiB.
    package var peakRSSMegabytes: Double { Double(Swift.max(selfPeakRSSBytes, workerPeakRSSBytes)) / 1_048_576 }

    /// The report as one JSON object; latencies are `null` when not measured.
    package var json: JSONValue {
        func rounded(_ value: Double, _ places: Double = 1000) -> JSONValue { .double((value * places).rounded() / places) }
        func ms(_ duration: Duration?) -> JSONValue { duration.map { rounded($0.milliseconds, 1_000_000) } ?? .null }
        var object: JSONObject = [
            "broker": .string(broker),
            "mode": .string(mode),
            "tasks": .int(tasks),
            "concurrency": .int(concurrency),
            "payload_bytes": .int(payloadBytes),
            "seconds": rounded(seconds, 1_000_000),
            "tasks_per_s": rounded(tasksPerSecond, 10),
            "completed": .int(completed),
            "p50_ms": ms(latency?.p50),
            "p90_ms": ms(latency?.p90),
            "p99_ms": ms(latency?.p99),
            "p999_ms": ms(latency?.p999),
            "max_ms": ms(latency?.max),
            "errors": .int(errors),
            "drops": .int(drops),
            "cpu_s": rounded(cpuSeconds),
            "peak_rss_mb": rounded(peakRSSMegabytes, 10),
            "self_peak_rss_mb": rounded(Double(selfPeakRSSBytes) / 1_048_576, 10),
            "worker_peak_rss_mb": rounded(Double(workerPeakRSSBytes) / 1_048_576, 10),
        ]
        if let sendSeconds {
            object["send_seconds"] = rounded(sendSeconds, 1_000_000)
            object["sent_per_s"] = rounded(sendSeconds > 0 ? Double(tasks) / sendSeconds : 0, 10)
        }
        if let bytesPerQueuedTask { object["bytes_per_queued_task"] = rounded(bytesPerQueuedTask, 1) }
        if let targetRate { object["target_rate_per_s"] = rounded(targetRate, 10) }
        if let depth {
            object["broker_memory_before_bytes"] = .int(depth.memoryBeforeBytes)
            object["broker_memory_queued_bytes"] = .int(depth.memoryQueuedBytes)
            object["broker_bytes_per_queued_task"] = rounded(depth.bytesPerQueuedTask, 1)
            object["drain_seconds"] = rounded(depth.drainSeconds, 1_000_000)
            object["drain_per_s"] = rounded(depth.drainPerSecond, 10)
        }
        object["notes"] = .array(notes.map(JSONValue.string))
        return .object(object)
    }

    /// The report as aligned lines for a terminal.
    package var text: String {
        func us(_ duration: Duration) -> String { "\(NumberText.fixed(duration.milliseconds * 1000, decimals: 1)) µs" }
        var lines = [
            "broker       \(broker) (\(mode), \(tasks) tasks, concurrency \(concurrency), payload \(payloadBytes) B)",
            "completed    \(completed) in \(NumberText.fixed(seconds, decimals: 3)) s",
            "throughput   \(NumberText.fixed(tasksPerSecond, decimals: 0)) tasks/s",
        ]
        if let sendSeconds, sendSeconds > 0 {
            lines.append("sent         \(NumberText.fixed(Double(tasks) / sendSeconds, decimals: 0)) tasks/s (producer side)")
        }
        if let latency {
            lines.append(
                "latency      p50 \(us(latency.p50))  p90 \(us(latency.p90))  p99 \(us(latency.p99))  "
                    + "p99.9 \(us(latency.p999))  max \(us(latency.max))")
        } else {
            lines.append("latency      not measured")
        }
        if let bytesPerQueuedTask {
            lines.append("memory       \(NumberText.fixed(bytesPerQueuedTask, decimals: 0)) bytes of RSS per task in flight")
        }
        if let targetRate {
            lines.append("rate         \(NumberText.fixed(targetRate, decimals: 0)) tasks/s asked, latency from each task's due time")
        }
        if let depth {
            lines.append(
                "broker mem   \(NumberText.fixed(depth.bytesPerQueuedTask, decimals: 0)) bytes per queued task "
                    + "(\(depth.memoryQueuedBytes / 1_048_576) MiB with all queued)")
            lines.append(
                "drain        \(NumberText.fixed(depth.drainPerSecond, decimals: 0)) tasks/s in \(NumberText.fixed(depth.drainSeconds, decimals: 3)) s"
            )
        }
        lines.append("errors       \(errors)")
        lines.append("drops        \(drops)")
        lines.append("cpu          \(NumberText.fixed(cpuSeconds, decimals: 2)) s (bench process and workers)")
        var rss = "peak rss     \(NumberText.fixed(Double(selfPeakRSSBytes) / 1_048_576, decimals: 1)) MiB"
        if workerPeakRSSBytes > 0 { rss += " (worker \(NumberText.fixed(Double(workerPeakRSSBytes) / 1_048_576, decimals: 1)) MiB)" }
        lines.append(rss)
        for note in notes { lines.append("note         \(note)") }
        return lines.joined(separator: "\n") + "\n"
    }
}
