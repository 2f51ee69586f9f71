/// An integer too large for `Int`, kept exactly as its decimal digits.
///
/// Python integers have no size limit, and Python's `json` writes them digit for digit, so a Python
/// producer can send `2**64` or `-(2**70)-3` at any time. ``JSONParser`` keeps such a number as
/// ``JSONValue/bigInteger(_:)`` instead of rounding it to a `Double`, and ``JSONWriter`` writes the
/// same digits back.
///
/// The digits are normalised when the value is made (no `+`, no leading zeros, no `-0`), so two
/// values are equal exactly when the integers are:
/// ```swift
/// let big = JSONBigInteger("18446744073709551616")!      // 2**64
/// JSONBigInteger("-0007") == JSONBigInteger(-7)            // true
/// UInt64(big.description)                                  // nil: too large
/// ```
/// Convert to a fixed-width integer with that type's `init?(_ text:)` on ``description``, which
/// returns `nil` rather than wrapping; decoding with ``JSONValueDecoder`` does this and throws an
/// error naming the value's coding path.
public struct JSONBigInteger: Sendable, Hashable, LosslessStringConvertible {
    /// The integer in decimal: an optional `-`, then digits without leading zeros.
    public let description: String

    /// Creates an integer from decimal text: an optional sign, then one or more ASCII digits.
    ///
    /// Returns `nil` for anything else (spaces, a fraction, an exponent, an empty string).
    /// - Parameter text: The digits, such as `"18446744073709551616"` or `"-0042"`.
    public init?(_ text: String) {
        var utf8 = Substring(text).utf8[...]
        var negative = false
        if let sign = utf8.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            utf8 = utf8.dropFirst()
        }
        guard !utf8.isEmpty, utf8.allSatisfy({ $0 &- 0x30 < 10 }) else { return nil }
        let significant = utf8.drop { $0 == UInt8(ascii: "0") }
        if significant.isEmpty {
            description = "0"
        } else {
            description = (negative ? "-" : "") + String(decoding: significant, as: UTF8.self)
        }
    }

    /// Creates the integer equal to any binary integer, such as a `UInt64` or an `Int128`.
    ///
    /// - Parameter value: The integer.
    public init(_ value: some BinaryInteger) {
        description = String(value)
    }

    /// Takes digits already in normal form: from ``JSONReader``, which allows no leading zeros.
    init(normalizedDigits: String) {
        description = normalizedDigits
    }

    /// Whether the integer is below zero.
    public var isNegative: Bool { description.utf8.first == UInt8(ascii: "-") }

    /// The integer as `Int`, when it fits.
    public var intValue: Int? { Int(description) }

    /// The nearest `Double`, as Python's `float(int)` gives it (rounding half to even), or `nil` when
    /// the integer is beyond `Double`'s range, where Python raises `OverflowError`.
    public var doubleValue: Double? {
        guard let double = Double(description), double.isFinite else { return nil }
        return double
    }
}
