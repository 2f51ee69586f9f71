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
        /// Kick at a fixed `rate` whatever the completions, and measure each task's latency from
        /// the moment it was due to be kicked (no coordinated omission).
        case openLoop = "open-loop"
        /// Queue every task with no worker running, read the broker server's memory, then start
        /// the workers and time the drain (Redis brokers, or any broker with `brokerPID`).
        case depth
    }

    /// No-op tasks to run.
    package var tasks = 10_000
    /// Producers kicking at once (each awaits its task before kicking the next); 1 in latency mode.
    package var concurrency = 64
    /// Length in bytes of the string each task receives.
    package var payloadBytes = 32
    /// Throughput or latency.
    package var mode = Mode.throughput
    /// Tasks kicked per second in open-loop mode.
    package var rate: Double?
    /// Worker processes to start for a broker that does not run tasks in-process; the file's
    /// `worker.workers` when `nil`.
    package var workers: Int?
    /// Depth mode: the broker server's process on this machine, whose resident memory growth is
    /// the broker's memory; `nil` reads Redis's `used_memory` (Redis brokers only).
    package var brokerPID: Int?
    /// Print one JSON object instead of the table.
    package var json = false
    /// Abort when no task has completed for this long.
    package var stallTimeout = Duration.seconds(30)

    package init(
        tasks: Int = 10_000, concurrency: Int = 64, payloadBytes: Int = 32, mode: Mode = .throughput,
        rate: Double? = nil, workers: Int? = nil, json: Bool = false
    ) {
        self.tasks = tasks
        self.concurrency = concurrency
        self.payloadBytes = payloadBytes
        self.mode = mode
        self.rate = rate
        self.workers = workers
        self.json = json
    }

    /// Producers actually used: one in latency mode, never more than there are tasks. Open-loop
    /// mode has one scheduler and as many tasks in flight as the rate and latency make.
    package var effectiveConcurrency: Int {
        switch mode {
        case .latency, .openLoop: 1
        default: max(1, min(concurrency, tasks))
        }
    }

    /// The options checked against each other: open-loop mode needs a rate, and only it takes one.
    package func validate() throws(CommandLineError) {
        if mode == .openLoop, rate == nil {
            throw CommandLineError(
                code: .invalidValue, command: "bench", argument: mode.rawValue,
                message: "'--mode open-loop' needs '--rate', the tasks to kick per second")
        }
        if let brokerPID, mode != .depth {
            throw CommandLineError(
                code: .invalidValue, command: "bench", argument: "\(brokerPID)",
                message: "'--broker-pid' applies to '--mode depth' only")
        }
        if let rate, mode != .openLoop {
            throw CommandLineError(
                code: .invalidValue, command: "bench", argument: "\(rate)",
                message: "'--rate' applies to '--mode open-loop' only")
        }
    }
}
