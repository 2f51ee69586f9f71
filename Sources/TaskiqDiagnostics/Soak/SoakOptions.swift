import TaskiqConfig

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

    package init(tasks: Int = 1_000_000, concurrency: Int = 128, records: String = "") {
        self.tasks = tasks
        self.concurrency = concurrency
        self.records = records
    }

    /// Producers actually used: never more than there are tasks.
    package var effectiveConcurrency: Int { max(1, min(concurrency, tasks)) }
}
