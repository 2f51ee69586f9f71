/// What `taskiq-run soak` kicks, how hard, where the workers record, and how long it may take.
package struct SoakOptions: Sendable, Hashable {
    /// Tasks to kick, with sequence numbers `0..<tasks`.
    package var tasks = 1_000_000
    /// Producers in flight at once; each awaits its task's result before kicking the next.
    package var concurrency = 128
    /// The directory the workers' record files are written to.
    package var records = ""
    /// Stop kicking after this long; `nil` kicks every task.
    package var maxDuration: Duration? = nil
    /// How long one producer waits for one result before counting it as a result timeout.
    package var resultTimeout = Duration.seconds(60)
    /// How long after the last result the ledger may take to show every kicked task.
    package var drainTimeout = Duration.seconds(60)
    /// How often a progress line goes to standard error; `nil` prints none.
    package var progressInterval: Duration? = .seconds(10)

    package init(tasks: Int = 1_000_000, concurrency: Int = 128, records: String) {
        self.tasks = tasks
        self.concurrency = concurrency
        self.records = records
    }

    /// Reads the options of `soak`, falling back to ``SoakRecorder/directoryVariable`` for
    /// `--records`, and rejects nonsense with the value at fault.
    package init(_ command: ParsedCommand, environment: [String: String]) throws(CommandLineError) {
        self.init(records: "")
        func invalid(_ value: String, _ message: String) -> CommandLineError {
            CommandLineError(code: .invalidValue, command: command.name, argument: value, message: message)
        }
        func positiveInt(_ name: String) throws(CommandLineError) -> Int? {
            guard let value = try command.int(name) else { return nil }
            guard value > 0 else { throw invalid(String(value), "'--\(name)' expects a positive integer, found \(value)") }
            return value
        }
        func seconds(_ name: String, allowZero: Bool = false) throws(CommandLineError) -> Duration? {
            guard let text = command.string(name) else { return nil }
            guard let value = Double(text), value > 0 || (allowZero && value == 0),
                  let duration = try? Duration.checkedSeconds(value, of: "'--\(name)'") else {
                throw invalid(text, "'--\(name)' expects \(allowZero ? "a non-negative" : "a positive") number of seconds up to \(Int(Duration.maximumCheckedSeconds)), found '\(text)'")
            }
            return duration
        }
        if let tasks = try positiveInt("tasks") { self.tasks = tasks }
        if let concurrency = try positiveInt("concurrency") { self.concurrency = concurrency }
        maxDuration = try seconds("max-seconds")
        if let timeout = try seconds("result-timeout") { resultTimeout = timeout }
        if let drain = try seconds("drain-seconds", allowZero: true) { drainTimeout = drain }
        if let progress = try seconds("progress", allowZero: true) { progressInterval = progress == .zero ? nil : progress }
        guard let records = command.string("records") ?? environment[SoakRecorder.directoryVariable], !records.isEmpty else {
            throw CommandLineError(code: .invalidValue, command: command.name, argument: "records",
                                   message: "'--records DIR' is required (or set \(SoakRecorder.directoryVariable)): "
                                       + "the directory the workers append executed sequence numbers to")
        }
        self.records = records
    }

    /// Producers actually used: never more than there are tasks.
    package var effectiveConcurrency: Int { max(1, min(concurrency, tasks)) }
}
