/// A cron expression that cannot be parsed: which field, which token, and why.
///
/// ```swift
/// do { _ = try CronExpression("0 25 * * *") } catch let error as CronExpressionError {
///     print(error.message)   // field 'hour': value 25 is out of range 0-23
/// }
/// ```
public struct CronExpressionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of mistake. Codes are an open set: compare with the static members.
    public typealias Code = ErrorCode<CronExpressionError>

    /// What kind of mistake it is.
    public var code: Code
    /// The whole expression as given.
    public var expression: String
    /// The field's name (`minute`, `hour`, `day-of-month`, `month`, `day-of-week`), or `nil` when the
    /// expression as a whole is wrong.
    public var field: String?
    /// The offending token (a list item such as `20-25`), or the whole expression.
    public var token: String
    /// Why the token is wrong: what was found and what was expected.
    public var reason: String

    /// Creates an error.
    public init(code: Code, expression: String, field: String?, token: String, reason: String) {
        self.code = code
        self.expression = expression
        self.field = field
        self.token = token
        self.reason = reason
    }

    /// `field 'hour': value 25 is out of range 0-23`, or the reason alone when no field applies.
    public var message: String {
        if let field { "field '\(field)': \(reason)" } else { reason }
    }

    public var description: String { "invalid cron expression '\(expression)': \(message)" }
}

extension ErrorCode where Domain == CronExpressionError {
    /// The expression does not have five fields and is not a known `@alias`.
    public static var fieldCount: Self { "field_count" }
    /// A value outside the field's range, or a reversed range.
    public static var outOfRange: Self { "out_of_range" }
    /// A token that is not a number, a name, `*`, a range, a step or a list.
    public static var invalidToken: Self { "invalid_token" }
    /// A step of zero or one that is not a number.
    public static var invalidStep: Self { "invalid_step" }
}
