/// The bytes and small routines shared by the NATS encoders and parsers.
///
/// The protocol is ASCII text, so numbers are written and read here without going through
/// `String`, and nothing allocates per byte.
enum NATSASCII {
    /// Carriage return, the first byte of a line end.
    static let cr = UInt8(ascii: "\r")
    /// Line feed, the last byte of a line end.
    static let lf = UInt8(ascii: "\n")
    /// The separator the encoders write between arguments.
    static let space = UInt8(ascii: " ")
    /// A separator the server may use between arguments.
    static let tab = UInt8(ascii: "\t")
    /// Separates a header name from its value.
    static let colon = UInt8(ascii: ":")
    /// Quotes the text of `-ERR`.
    static let quote = UInt8(ascii: "'")
    /// The line end.
    static let crlf: [UInt8] = [cr, lf]

    /// Whether `byte` separates tokens on a control line (space or tab).
    @inline(__always)
    static func isBlank(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    /// Whether `byte` is ASCII whitespace or a control character (including DEL).
    @inline(__always)
    static func isSpaceOrControl(_ byte: UInt8) -> Bool { byte <= 0x20 || byte == 0x7F }

    /// Appends `value` in decimal.
    static func appendDecimal(_ value: UInt64, to out: inout [UInt8]) {
        if value < 10 {
            out.append(UInt8(truncatingIfNeeded: value) &+ 0x30)
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // UInt64.max has 20 digits; 24 bytes of scratch.
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { scratch in
            while rest > 0 {
                scratch[count] = UInt8(truncatingIfNeeded: rest % 10) &+ 0x30
                rest /= 10
                count += 1
            }
            while count > 0 {
                count -= 1
                out.append(scratch[count])
            }
        }
    }

    /// Appends a non-negative `value` in decimal; a negative one is written as 0.
    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        appendDecimal(UInt64(clamping: value), to: &out)
    }

    /// The value of a run of decimal digits, or `nil` when the run is empty, holds anything but
    /// the digits 0–9 (no sign, no spaces) or exceeds `UInt64.max`.
    static func parseDecimal(_ bytes: ArraySlice<UInt8>) -> UInt64? {
        guard !bytes.isEmpty else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            let digit = byte &- 0x30
            guard digit < 10 else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        return value
    }

    /// Whether `bytes` spells `word` (given in upper case) with ASCII letters in either case.
    static func equalsIgnoringCase(_ bytes: ArraySlice<UInt8>, _ word: StaticString) -> Bool {
        guard bytes.count == word.utf8CodeUnitCount else { return false }
        return word.withUTF8Buffer { upper in
            var index = bytes.startIndex
            for expected in upper {
                var byte = bytes[index]
                if byte >= 0x61, byte <= 0x7A { byte &-= 0x20 }
                if byte != expected { return false }
                index += 1
            }
            return true
        }
    }

    /// Whether two strings are equal when ASCII letters are compared without case.
    static func equalsIgnoringCase(_ lhs: String, _ rhs: String) -> Bool {
        var left = lhs.utf8.makeIterator()
        var right = rhs.utf8.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return true
            case (var a?, var b?):
                if a >= 0x41, a <= 0x5A { a &+= 0x20 }
                if b >= 0x41, b <= 0x5A { b &+= 0x20 }
                if a != b { return false }
            default: return false
            }
        }
    }

    /// The range of `bytes[range]` without leading and trailing spaces and tabs.
    static func trimmingBlanks(_ bytes: [UInt8], _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, isBlank(bytes[lower]) { lower += 1 }
        while upper > lower, isBlank(bytes[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    /// Text for an error message: the bytes as UTF-8 (invalid sequences replaced), cut to
    /// `limit` characters so that a hostile line cannot make a huge message.
    static func quoted(_ bytes: ArraySlice<UInt8>, limit: Int = 64) -> String {
        let text = String(decoding: bytes.prefix(limit * 4), as: UTF8.self)
        if text.count > limit || bytes.count > limit * 4 {
            return "\"" + String(text.prefix(limit)) + "…\""
        }
        return "\"" + text + "\""
    }
}
