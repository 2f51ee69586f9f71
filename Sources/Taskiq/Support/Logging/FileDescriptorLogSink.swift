import Synchronization

/// A sink that writes each line to a file descriptor with a single `write(2)`.
///
/// One system call per line means lines written by concurrent threads never interleave
/// (for pipes up to `PIPE_BUF` bytes, and for files opened with `O_APPEND`). A failed write
/// (`EBADF`, `EPIPE`, `ENOSPC`, a non-blocking descriptor that is full, ...) never traps or
/// throws: the line is dropped and counted in ``droppedLineCount``.
///
/// Creating a sink sets `SIGPIPE` to ignored if it still has its default disposition, so
/// that writing to a closed pipe reports `EPIPE` instead of killing the process.
public final class FileDescriptorLogSink: LogSink {
    /// A sink writing to standard error, the default destination.
    public static let standardError = FileDescriptorLogSink(fileDescriptor: FileDescriptor.standardError.rawValue)

    /// The descriptor lines are written to. The sink never closes it.
    public let fileDescriptor: Int32

    private let dropped = Atomic<Int>(0)

    /// Creates a sink for an open descriptor.
    /// - Parameter fileDescriptor: The descriptor to write to; the caller keeps ownership.
    public init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
        SignalDisposition.ignoreDefaultSIGPIPE()
    }

    /// How many lines could not be written and were dropped.
    public var droppedLineCount: Int { dropped.load(ordering: .relaxed) }

    /// Writes `line` with one `write(2)`, retrying only on `EINTR` and short writes.
    /// - Parameter line: The line to write, newline included.
    public func write(_ line: String) {
        if writeReportingFailure(line) != nil {
            dropped.add(1, ordering: .relaxed)
        }
    }

    /// Writes `line` as ``write(_:)`` does, without counting a failure.
    /// - Returns: `nil` when every byte was written, otherwise the `errno` of the failed write.
    func writeReportingFailure(_ line: String) -> Int32? {
        var line = line
        let file = FileDescriptor(rawValue: fileDescriptor)
        return line.withUTF8 { bytes in file.writeAll(UnsafeRawBufferPointer(bytes))?.code }
    }
}
