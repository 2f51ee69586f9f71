/// Lower-case hex for trace and span IDs: W3C trace context accepts nothing else.
enum HexDigits {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Parses up to 16 lower-case hex digits; `nil` on any other byte or an empty input.
    static func parse(_ bytes: ArraySlice<UInt8>) -> UInt64? {
        guard !bytes.isEmpty, bytes.count <= 16 else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            guard let nibble = nibble(byte) else { return nil }
            value = value << 4 | UInt64(nibble)
        }
        return value
    }

    /// The value of one lower-case hex digit.
    static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    /// Exactly 16 lower-case hex digits, zero-padded.
    static func format(_ value: UInt64) -> String {
        String(unsafeUninitializedCapacity: 16) { buffer in
            for index in 0..<16 {
                buffer[index] = digits[Int(truncatingIfNeeded: (value >> UInt64((15 - index) * 4)) & 0xF)]
            }
            return 16
        }
    }

    /// Exactly 2 lower-case hex digits.
    static func format(byte: UInt8) -> String {
        String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]], as: UTF8.self)
    }
}
