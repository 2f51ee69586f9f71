/// Where formatted log lines go.
///
/// The logging system formats each record once (see ``LogOutputFormat``) and hands the
/// finished line to the sink. Implementations must be thread-safe and must never throw or
/// trap: a line that cannot be written is dropped.
public protocol LogSink: Sendable {
    /// Writes one complete line.
    ///
    /// - Parameter line: The formatted record, terminated by `"\n"`.
    func write(_ line: String)
}
