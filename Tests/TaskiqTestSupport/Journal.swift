import Synchronization

/// Lines appended from any thread, read back in order: what ran, and when relative to the rest.
package final class Journal: Sendable {
    private let lines = Mutex<[String]>([])

    /// An empty journal.
    package init() {}

    /// Appends `line`.
    package func append(_ line: String) { lines.withLock { $0.append(line) } }

    /// Every line so far, in order.
    package var all: [String] { lines.withLock { $0 } }
}
