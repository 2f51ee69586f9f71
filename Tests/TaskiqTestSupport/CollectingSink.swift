import Synchronization
import Taskiq

/// A log sink that collects lines in memory, for tests that read what was logged.
package final class CollectingSink: LogSink {
    private let collected = Mutex<[String]>([])

    /// An empty sink.
    package init() {}

    /// The lines written so far, oldest first.
    package var lines: [String] { collected.withLock { $0 } }

    /// Appends `line`.
    package func write(_ line: String) { collected.withLock { $0.append(line) } }
}
