/// A rate limit that cannot be read, such as `"ten per second"`, `"0/s"` or `"10/fortnight"`.
public struct RateLimitError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Why the text was refused.
    public typealias Code = ErrorCode<RateLimitError>

    /// Why the text was refused.
    public var code: Code
    /// The refused text as given (cut to 64 characters).
    public var text: String

    /// Creates an error.
    public init(_ code: Code, text: String) {
        self.code = code
        self.text = text.count > 64 ? String(text.prefix(64)) + "…" : text
    }

    public var description: String {
        let problem =
            switch code {
            case .malformed: "is not of the form <count>/<unit>"
            case .badCount: "has a count that is not a whole number from 1 to \(RateLimit.maximumCount)"
            case .badUnit: "has a unit other than s, m, h or d"
            default: "is not a rate limit"
            }
        return "rate limit '\(text)' \(problem); expected, for example, \"10/s\", \"100/m\", \"5/h\" or \"1000/d\""
    }
}

extension ErrorCode where Domain == RateLimitError {
    /// Not `<count>/<unit>`.
    public static var malformed: Self { "malformed" }
    /// The count is not a whole number in range.
    public static var badCount: Self { "bad_count" }
    /// The unit is not one of s, m, h, d.
    public static var badUnit: Self { "bad_unit" }
}
