/// A W3C span (parent) ID: 8 bytes, never all zero, written as 16 lower-case hex digits.
public struct SpanID: Sendable, Hashable, CustomStringConvertible {
    /// The eight bytes, big-endian.
    public let value: UInt64

    /// Creates a span ID; `nil` for zero (the spec's invalid ID).
    public init?(_ value: UInt64) {
        guard value != 0 else { return nil }
        self.value = value
    }

    /// Parses exactly 16 lower-case hex digits; `nil` for anything else or the all-zero ID.
    public init?(hex: String) {
        guard hex.utf8.count == 16 else { return nil }
        self.init(bytes: Array(hex.utf8)[...])
    }

    /// Parses exactly 16 lower-case hex digits from raw bytes.
    init?(bytes: ArraySlice<UInt8>) {
        guard bytes.count == 16, let value = HexDigits.parse(bytes) else { return nil }
        self.init(value)
    }

    /// A fresh random span ID from the operating system's secure random source.
    public static func random() -> SpanID {
        while true {
            let (first, second) = RandomBuffer.shared.nextPair()
            if let id = SpanID(first) ?? SpanID(second) { return id }
        }
    }

    /// The 16 lower-case hex digits.
    public var hex: String { HexDigits.format(value) }

    /// The hex form.
    public var description: String { hex }
}
