/// A value that cannot be used as a duration: not a number, infinite, negative (or zero where a
/// positive value is required), or longer than ``Swift/Duration/maximumCheckedSeconds``.
///
/// Raised by ``Swift/Duration/checkedSeconds(_:of:positive:)-(Double,_,_)`` and its overloads for
/// an `Int` and a ``JSONValue`` where a duration is parsed (a `timeout` label, a task argument),
/// so that no value from a message reaches `Duration.seconds(_:)` or `Task.sleep`, which trap on
/// values they cannot hold.
public struct DurationRangeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Why the value was refused.
    public typealias Code = ErrorCode<DurationRangeError>

    /// Why the value was refused.
    public var code: Code
    /// What the value is (`timeout label`, `argument seconds`), for the message.
    public var what: String
    /// The refused value as given (`1e+21`, `"abc"`).
    public var value: String

    /// Creates an error.
    public init(_ code: Code, what: String, value: String) {
        self.code = code
        self.what = what
        self.value = value
    }

    public var description: String {
        let problem =
            switch code {
            case .notANumber: "is not a number"
            case .notFinite: "is not finite"
            case .notPositive: "is not positive"
            case .tooLong: "is too long"
            default: "is out of range (\(code))"
            }
        return "\(what) \(value) \(problem): expected a number of seconds up to \(Int(Duration.maximumCheckedSeconds)) (about 31.7 years)"
    }
}

extension ErrorCode where Domain == DurationRangeError {
    /// Not a number at all (text that does not parse, a boolean, an object).
    public static var notANumber: Self { "not_a_number" }
    /// NaN or ±infinity.
    public static var notFinite: Self { "not_finite" }
    /// Below zero, or zero where only a positive duration makes sense.
    public static var notPositive: Self { "not_positive" }
    /// Above ``Swift/Duration/maximumCheckedSeconds``.
    public static var tooLong: Self { "too_long" }
}
