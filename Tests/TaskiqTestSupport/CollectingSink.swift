import Synchronization
import Taskiq

/// A log sink that collects lines in memory, for tests that read what was logged.
public final class CollectingSink: LogSink {
    private let collected = Mutex<[String]>([])

    /// An empty sink.
    public init() {}

    /// The lines written so far, oldest first.
    public var lines: [String] { collected.withLock { $0 } }

    /// Appends `line`.
    public func write(_ line: String) { collected.withLock { $0.append(line) } }
}
