import Synchronization

/// A sink that appends lines to a file, and falls back to standard error for good when a write fails.
///
/// A full disk (`ENOSPC`), a file on a vanished mount (`EIO`), a closed descriptor (`EBADF`) or a
/// pipe with no reader (`EPIPE`) never stops or blocks the process: the first failure writes one
/// warning to the fallback naming the file and the reason, and that line and every later one go
/// to the fallback instead. Lines are written with one `write(2)` to an `O_APPEND` descriptor, so
/// several processes may share the file.
///
/// ```swift
/// LoggingSystem.bootstrap(LoggingConfiguration(sink: try FileLogSink(path: "/var/log/taskiq.log")))
/// ```
public final class FileLogSink: LogSink {
    /// The file lines are appended to.
    public let path: String

    private let file: FileDescriptorLogSink
    private let fallback: FileDescriptorLogSink
    private let format: LogOutputFormat
    private let failed = Atomic<Bool>(false)

    /// Opens (creating if needed, mode 0644) `path` for appending.
    /// - Parameters:
    ///   - path: The log file.
    ///   - format: How the one warning about a failed write is rendered, to match the other lines.
    ///   - fallback: Where lines go after a write fails; standard error by default.
    /// - Throws: ``TaskiqError`` naming the file and the reason when it cannot be opened for writing.
    public convenience init(
        path: String, format: LogOutputFormat = .text,
        fallback: FileDescriptorLogSink = .standardError
    ) throws(TaskiqError) {
        let descriptor: FileDescriptor
        do {
            descriptor = try FileDescriptor.open(path, [.writeOnly, .append, .create])
        } catch {
            throw TaskiqError(.logFile, "cannot open log file '\(path)' for appending: \(error.detailedDescription)")
        }
        self.init(descriptor: descriptor.rawValue, path: path, format: format, fallback: fallback)
    }

    /// Takes ownership of an open descriptor (tests use pipes and closed descriptors).
    init(
        descriptor: Int32, path: String, format: LogOutputFormat = .text,
        fallback: FileDescriptorLogSink = .standardError
    ) {
        self.path = path
        self.file = FileDescriptorLogSink(fileDescriptor: descriptor)
        self.fallback = fallback
        self.format = format
    }

    /// Whether a write has failed and lines now go to the fallback.
    public var hasFallenBack: Bool { failed.load(ordering: .relaxed) }

    /// Appends `line` to the file, or to the fallback once a write has failed.
    /// - Parameter line: The formatted line, newline included.
    public func write(_ line: String) {
        if !failed.load(ordering: .relaxed) {
            guard let code = file.writeReportingFailure(line) else { return }
            if failed.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged {
                let record = LogRecord(
                    timestamp: .now(), level: .warning, label: "taskiq.logging",
                    message: "cannot write to log file '\(path)': \(Self.reason(code)); logging to standard error from now on",
                    metadata: ["log_file": path])
                fallback.write(format.line(for: record))
            }
        }
        fallback.write(line)
    }

    /// `No space left on device (ENOSPC)`.
    static func reason(_ code: Int32) -> String { SystemError(code: code).detailedDescription }

    deinit {
        FileDescriptor(rawValue: file.fileDescriptor).close()
    }
}
