import Synchronization

/// Collects the log lines of one task execution, formatted with a ``LogFormat``.
///
/// Give a capture to a ``Logger`` through ``Logger/capture``; every record the logger
/// writes is also formatted with the capture's format and kept here, in addition to going
/// to the process-wide sink. The worker attaches one per task and stores ``text`` in the
/// result's `log` field, as Python taskiq does with `logs_format`.
public final class LogCapture: Sendable {
    /// The format each captured line is rendered with.
    public let format: LogFormat

    private let lines = Mutex<[String]>([])

    /// Creates an empty capture.
    /// - Parameter format: The format each captured line is rendered with.
    public init(format: LogFormat = .taskiqDefault) {
        self.format = format
    }

    /// The captured lines joined with `"\n"`, without a trailing newline.
    public var text: String {
        lines.withLock { $0.joined(separator: "\n") }
    }

    /// Removes every captured line.
    public func removeAll() {
        lines.withLock { $0.removeAll() }
    }

    func append(_ record: LogRecord) {
        let line = format.format(record)
        lines.withLock { $0.append(line) }
    }
}
