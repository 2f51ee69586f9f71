/// A W3C trace ID: 16 bytes, never all zero, written as 32 lower-case hex digits.
public struct TraceID: Sendable, Hashable, CustomStringConvertible {
    /// The first eight bytes, big-endian.
    public let high: UInt64
    /// The last eight bytes, big-endian.
    public let low: UInt64

    /// Creates a trace ID from its two halves; `nil` when both are zero (the spec's invalid ID).
    public init?(high: UInt64, low: UInt64) {
        guard high != 0 || low != 0 else { return nil }
        self.high = high
        self.low = low
    }

    /// Parses exactly 32 lower-case hex digits; `nil` for anything else or the all-zero ID.
    public init?(hex: String) {
        guard hex.utf8.count == 32 else { return nil }
        self.init(bytes: Array(hex.utf8)[...])
    }

    /// Parses exactly 32 lower-case hex digits from raw bytes.
    init?(bytes: ArraySlice<UInt8>) {
        guard bytes.count == 32,
            let high = HexDigits.parse(bytes.prefix(16)),
            let low = HexDigits.parse(bytes.suffix(16))
        else { return nil }
        self.init(high: high, low: low)
    }

    /// A fresh random trace ID from the operating system's secure random source.
    public static func random() -> TraceID {
        while true {
            let (high, low) = RandomBuffer.shared.nextPair()
            if let id = TraceID(high: high, low: low) { return id }
        }
    }

    /// The 32 lower-case hex digits (the form both `traceparent` and OTLP/JSON use).
    public var hex: String { HexDigits.format(high) + HexDigits.format(low) }

    /// The hex form.
    public var description: String { hex }
}
