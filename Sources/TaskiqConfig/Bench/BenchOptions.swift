/// What `taskiq-run bench` measures: how many tasks, how many in flight, how big the payload.
package struct BenchOptions: Sendable, Hashable {
    /// Whether the run measures throughput (many producers) or latency (one task at a time).
    package enum Mode: String, Sendable, CaseIterable {
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

    /// Reads `-n`, `--concurrency`, `--payload`, `--mode` and `--json`, rejecting nonsense with the value at fault.
    package init(_ command: ParsedCommand) throws(CommandLineError) {
        self.init()
        func positive(_ name: String, _ value: Int?, allowZero: Bool = false) throws(CommandLineError) -> Int? {
            guard let value else { return nil }
            guard value > 0 || (allowZero && value == 0) else {
                throw CommandLineError(code: .invalidValue, command: command.name, argument: String(value),
                                       message: "'--\(name)' expects \(allowZero ? "a non-negative" : "a positive") integer, found \(value)")
            }
            return value
        }
        if let tasks = try positive("tasks", try command.int("tasks")) { self.tasks = tasks }
        if let concurrency = try positive("concurrency", try command.int("concurrency")) { self.concurrency = concurrency }
        if let payload = try positive("payload", try command.int("payload"), allowZero: true) { payloadBytes = payload }
        if let mode = command.string("mode") {
            guard let parsed = Mode(rawValue: mode) else {
                throw CommandLineError(code: .invalidValue, command: command.name, argument: mode,
                                       message: "'--mode' expects throughput, latency or memory, found '\(mode)'")
            }
            self.mode = parsed
        }
        json = command.flag("json")
    }
}
