import TaskiqConfig

/// What `taskiq-run bench` measures: how many tasks, how many in flight, how big the payload.
package struct BenchOptions: Sendable, Hashable {
    /// Whether the run measures throughput (many producers) or latency (one task at a time).
    package enum Mode: String, Sendable, Hashable, CaseIterable {
        /// `concurrency` producers kick and await results as fast as they can.
        case throughput
        /// One producer kicks, awaits the result, then kicks the next.
        case latency
        /// Kick every task at once, hold them all in flight, and measure resident memory per task
        /// (in-memory broker only).
        case memory
    }

    /// No-op tasks to run.
    package var tasks = 10_000
    /// Producers kicking at once (each awaits its task before kicking the next); 1 in latency mode.
    package var concurrency = 64
    /// Length in bytes of the string each task receives.
    package var payloadBytes = 32
    /// Throughput or latency.
    package var mode = Mode.throughput
    /// Print one JSON object instead of the table.
    package var json = false
    /// Abort when no task has completed for this long.
    package var stallTimeout = Duration.seconds(30)

    package init(tasks: Int = 10_000, concurrency: Int = 64, payloadBytes: Int = 32, mode: Mode = .throughput,
                 json: Bool = false) {
        self.tasks = tasks
        self.concurrency = concurrency
        self.payloadBytes = payloadBytes
        self.mode = mode
        self.json = json
    }

    /// Producers actually used: one in latency mode, never more than there are tasks.
    package var effectiveConcurrency: Int {
        mode == .latency ? 1 : max(1, min(concurrency, tasks))
    }
}
