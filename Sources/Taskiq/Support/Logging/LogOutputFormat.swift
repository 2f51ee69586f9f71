/// How log lines are rendered for the process-wide sink.
public enum LogOutputFormat: String, Sendable, CaseIterable {
    /// Human-readable lines:
    /// `2026-11-25T13:14:46.123Z INFO  [pid 1234] taskiq.worker: message key=value`.
    ///
    /// Metadata follows the message as `key=value`, sorted by key; values that are empty or
    /// contain spaces, quotes, `=` or control characters are written as JSON strings.
    case text
    /// One compact JSON object per line:
    /// `{"time":"...","level":"info","pid":1234,"logger":"...","message":"...","task_id":"..."}`.
    ///
    /// Metadata keys follow the fixed fields, sorted by key. A metadata key that collides
    /// with a fixed field (`time`, `level`, `pid`, `logger`, `message`) is written as
    /// `meta.<key>` so that no object has duplicate keys.
    case json

    func line(for record: LogRecord) -> String {
        switch self {
        case .text: record.textLine
        case .json: record.jsonLine
        }
    }
}
