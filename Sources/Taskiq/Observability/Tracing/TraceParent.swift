/// The W3C `traceparent` header: which trace a message belongs to and which span sent it.
///
/// Parsed as the W3C Trace Context recommendation (level 1) and OpenTelemetry's propagator do:
/// `00-<32 hex trace ID>-<16 hex parent ID>-<2 hex flags>`, lower-case hex only, neither ID all
/// zero. Version `ff` is invalid. A version above `00` is parsed by its first four fields, and
/// may be followed by more fields after a `-`; version `00` must be exactly 55 characters.
/// Surrounding ASCII whitespace is ignored.
/// ```swift
/// let parent = TraceParent(header: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
/// parent?.traceID.hex   // "4bf92f3577b34da6a3ce929d0e0e4736"
/// ```
public struct TraceParent: Sendable, Hashable, CustomStringConvertible {
    /// The trace every span of the task's journey shares.
    public var traceID: TraceID
    /// The span that sent the message (the receiver's parent).
    public var spanID: SpanID
    /// The trace flags; bit 0 is `sampled`.
    public var flags: UInt8

    /// The label (and header) key: `traceparent`.
    public static let key = "traceparent"

    /// Creates a trace parent.
    /// - Parameters:
    ///   - traceID: The trace.
    ///   - spanID: The parent span.
    ///   - sampled: Whether the sender records the trace (flag bit 0).
    public init(traceID: TraceID, spanID: SpanID, sampled: Bool = true) {
        self.traceID = traceID
        self.spanID = spanID
        self.flags = sampled ? 1 : 0
    }

    /// Parses a header value; `nil` when it is not a valid `traceparent`.
    public init?(header: String) {
        guard header.utf8.count <= 1024 else { return nil }
        let bytes = Array(header.trimmingASCIIWhitespace().utf8)
        guard bytes.count >= 55 else { return nil }
        guard let versionHigh = HexDigits.nibble(bytes[0]), let versionLow = HexDigits.nibble(bytes[1]) else { return nil }
        let version = versionHigh << 4 | versionLow
        guard version != 0xFF else { return nil }
        if version == 0 {
            guard bytes.count == 55 else { return nil }
        } else if bytes.count > 55 {
            guard bytes[55] == UInt8(ascii: "-") else { return nil }
        }
        guard bytes[2] == UInt8(ascii: "-"), bytes[35] == UInt8(ascii: "-"), bytes[52] == UInt8(ascii: "-"),
            let traceID = TraceID(bytes: bytes[3..<35]), let spanID = SpanID(bytes: bytes[36..<52]),
            let flagsHigh = HexDigits.nibble(bytes[53]), let flagsLow = HexDigits.nibble(bytes[54])
        else { return nil }
        self.traceID = traceID
        self.spanID = spanID
        self.flags = flagsHigh << 4 | flagsLow
    }

    /// Whether the sender samples the trace (flag bit 0).
    public var isSampled: Bool { flags & 1 == 1 }

    /// The header value this library writes: always version `00`.
    public var header: String { "00-\(traceID.hex)-\(spanID.hex)-\(HexDigits.format(byte: flags))" }

    /// The header value.
    public var description: String { header }
}
