extension Duration {
    /// The longest duration taken from a message, a task argument or a config, in seconds:
    /// 1e9 (about 31.7 years).
    ///
    /// `Duration.seconds(_:)` traps from about 1.7e20 s and `Task.sleep(for:)` from about
    /// 9.2e18 s (its deadline no longer fits 64 bits); 1e9 s stays far below both, also when
    /// added to the current time or converted to nanoseconds.
    public static let maximumCheckedSeconds: Double = 1e9

    /// `seconds` as a duration, checked once where it is parsed: throws ``DurationRangeError``
    /// for NaN, ±infinity, a negative value (zero too when `positive`) or more than
    /// ``maximumCheckedSeconds``, so the result can be slept on and added to any clock's `now`
    /// without trapping.
    ///
    /// - Parameters:
    ///   - seconds: The number of seconds.
    ///   - what: Names the value in the error (`"timeout label"`).
    ///   - positive: Refuse zero as well.
    public static func checkedSeconds(
        _ seconds: Double, of what: String,
        positive: Bool = false
    ) throws(DurationRangeError) -> Duration {
        // The value is formatted only for an error: this runs for every message with a timeout label.
        guard seconds.isFinite else { throw DurationRangeError(.notFinite, what: what, value: "\(seconds)") }
        guard positive ? seconds > 0 : seconds >= 0 else { throw DurationRangeError(.notPositive, what: what, value: "\(seconds)") }
        guard seconds <= maximumCheckedSeconds else { throw DurationRangeError(.tooLong, what: what, value: "\(seconds)") }
        // Whole nanoseconds: at most 1e18, which fits Int64.
        return .nanoseconds(Int64((seconds * 1e9).rounded()))
    }

    /// ``checkedSeconds(_:of:positive:)`` for a whole number of seconds (any `Int`, `Int.max` included).
    public static func checkedSeconds(
        _ seconds: Int, of what: String,
        positive: Bool = false
    ) throws(DurationRangeError) -> Duration {
        guard Double(seconds) <= maximumCheckedSeconds else {
            throw DurationRangeError(.tooLong, what: what, value: "\(seconds)")
        }
        return try checkedSeconds(Double(seconds), of: what, positive: positive)
    }

    /// ``checkedSeconds(_:of:positive:)`` for a label or argument value: a number, or a numeric
    /// string (surrounding ASCII whitespace ignored), as Python taskiq's `float(value)` reads it.
    /// Anything else throws with ``DurationRangeError`` with code `.notANumber`.
    public static func checkedSeconds(
        _ value: JSONValue, of what: String,
        positive: Bool = false
    ) throws(DurationRangeError) -> Duration {
        guard let seconds = value.secondsValue else {
            throw DurationRangeError(.notANumber, what: what, value: value.excerpt())
        }
        do {
            return try checkedSeconds(seconds, of: what, positive: positive)
        } catch {
            // Name the value as it was sent (`9223372036854775807`, not its Double rounding; `1e400`
            // as the `Infinity` it reads as, not JSON's `null`).
            throw DurationRangeError(error.code, what: what, value: value.excerpt())
        }
    }

    /// `seconds` as a duration where a longer wait means the same as the longest one (a `delay`
    /// label: a message held back for 31 years is held back for good): above
    /// ``maximumCheckedSeconds``, +infinity included, gives the maximum. `nil` for NaN and
    /// negatives.
    public static func clampedSeconds(_ seconds: Double) -> Duration? {
        guard !seconds.isNaN, seconds >= 0 else { return nil }
        return try? checkedSeconds(min(seconds, maximumCheckedSeconds), of: "")
    }
}

extension JSONValue {
    /// A number of seconds as Python taskiq's `float(value)` reads a label: a number, or a numeric
    /// string (surrounding ASCII whitespace ignored); an integer beyond `Double`'s range reads as
    /// the largest finite `Double` of its sign, so that the range checks call it too long (or not
    /// positive) rather than not a number or not finite. `nil` for anything else.
    package var secondsValue: Double? {
        if case .bigInteger(let big) = self, big.doubleValue == nil {
            return big.isNegative ? -.greatestFiniteMagnitude : .greatestFiniteMagnitude
        }
        return doubleValue ?? stringValue.flatMap { Double($0.trimmingASCIIWhitespace()) }
    }
}
