/// One log event, captured once and rendered by whichever outputs want it.
struct LogRecord: Sendable {
    var timestamp: LogTimestamp
    var level: LogLevel
    var label: String
    var message: String
    var metadata: [String: String]
    var processID: Int32 = LogRecord.currentProcessID

    /// `getpid()` is a system call on current glibc; the id cannot change without an `exec`
    /// (workers are spawned, never forked), so read it once.
    static let currentProcessID: Int32 = CurrentProcess.id

    var sortedMetadata: [(key: String, value: String)] {
        metadata.sorted { $0.key < $1.key }
    }
}
