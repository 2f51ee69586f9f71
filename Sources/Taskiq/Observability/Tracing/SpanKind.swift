/// The role of a span, numbered as OTLP's `Span.SpanKind`.
public enum SpanKind: Int, Sendable {
    /// An operation inside one process.
    case `internal` = 1
    /// The handler of a synchronous request.
    case server = 2
    /// The sender of a synchronous request.
    case client = 3
    /// The sender of a message (taskiq's `send/<task>` span).
    case producer = 4
    /// The receiver of a message (taskiq's `execute/<task>` span).
    case consumer = 5
}
