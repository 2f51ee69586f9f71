#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Numbers as text the way C's `printf` writes them, for reports and logs, without Foundation's
/// `String(format:)`.
///
/// The C library does the conversion, so the digits and the rounding (the exact binary value
/// rounded half to even: `0.125` → `0.12`, `0.005` → `0.01` because that double is slightly above
/// it) are exactly what `String(format:)` printed before, which the benchmark scripts parse:
/// ```swift
/// NumberText.fixed(2.0 / 3, decimals: 2)            // "0.67"
/// NumberText.fixed(7, decimals: 0, width: 3)        // "  7"
/// NumberText.general(2.5e6 / 1e6)                   // "2.5"
/// ```
/// Non-finite values read `nan`, `inf` and `-inf`.
package enum NumberText {
    /// `value` with exactly `decimals` digits after the point (`%.*f`), right-aligned in `width`
    /// characters when it is shorter.
    /// - Parameters:
    ///   - value: The number.
    ///   - decimals: Digits after the point, clamped to 0...40; 0 prints no point.
    ///   - width: The minimum length, padded with spaces on the left; clamped to 0...400.
    /// - Returns: The text, such as `"-1.50"`.
    package static func fixed(_ value: Double, decimals: Int, width: Int = 0) -> String {
        format("%*.*f", width: width, precision: decimals, value)
    }

    /// `value` in C's general notation (`%g`): six significant digits, trailing zeros dropped,
    /// and an exponent (`1e+06`, `1e-05`) when it is below 1e-4 or the digits would not fit.
    /// - Parameter value: The number.
    /// - Returns: The text, such as `"2.5"`, `"100000"` or `"1e+06"`.
    package static func general(_ value: Double) -> String {
        format("%*.*g", width: 0, precision: 6, value)
    }

    private static func format(_ pattern: String, width: Int, precision: Int, _ value: Double) -> String {
        let arguments: [any CVarArg] = [Int32(min(max(width, 0), 400)), Int32(min(max(precision, 0), 40)), value]
        // The longest `%f` of a double is 309 integer digits, a sign, a point and 40 decimals.
        var buffer = [CChar](repeating: 0, count: 512)
        let count = withVaList(arguments) { list in
            buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, pattern, list) }
        }
        guard count > 0 else { return "" }
        let bytes = buffer.prefix(min(Int(count), buffer.count - 1)).map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
