/// A standard five-field cron expression: minute, hour, day of month, month, day of week.
///
/// ```swift
/// let cron = try CronExpression("*/15 9-17 * * MON-FRI")
/// let next = cron.next(after: .now, in: try ScheduleTimeZone("Europe/Berlin"))
/// ```
///
/// **Syntax.** Each field is a comma-separated list of `*`, a value `a`, a range `a-b`, or a step
/// `*/n`, `a-b/n` or `a/n` (from `a` to the field's maximum). Months accept `JAN`…`DEC` and days of
/// the week `SUN`…`SAT`, in any case; day of week `0` and `7` are both Sunday. The aliases
/// `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight` and `@hourly` stand for
/// their usual expressions. Fields are separated by runs of spaces or tabs.
///
/// **Day of month and day of week.** As in Vixie cron (and taskiq's `pycron`), when both fields are
/// restricted a day matches if *either* matches: `0 0 13 * FRI` fires on every 13th and every
/// Friday. A field is unrestricted when it starts with `*` (so `*/2` counts as unrestricted, as in
/// Vixie cron); then only the other field decides.
///
/// **Time zones and daylight-saving changes.** See ``next(after:in:)``.
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The expression as written (an alias stays an alias).
    public let source: String

    /// Allowed minutes, bit `n` for minute `n`.
    let minutes: UInt64
    /// Allowed hours, bit `n` for hour `n`.
    let hours: UInt64
    /// Allowed days of the month, bit `n` for day `n` (1...31).
    let daysOfMonth: UInt64
    /// Allowed months, bit `n` for month `n` (1...12).
    let months: UInt64
    /// Allowed days of the week, bit `n` for day `n` (0 = Sunday ... 6 = Saturday).
    let daysOfWeek: UInt64
    /// Whether the day-of-month field does not start with `*`.
    let dayOfMonthRestricted: Bool
    /// Whether the day-of-week field does not start with `*`.
    let dayOfWeekRestricted: Bool

    /// Parses an expression.
    /// - Parameter expression: Five fields or an `@alias`.
    /// - Throws: ``CronExpressionError`` naming the field, the token and the reason.
    public init(_ expression: String) throws(CronExpressionError) {
        var parser = CronParser(expression: expression)
        let fields = try parser.parse()
        source = expression
        minutes = fields.minutes
        hours = fields.hours
        daysOfMonth = fields.daysOfMonth
        months = fields.months
        daysOfWeek = fields.daysOfWeek
        dayOfMonthRestricted = fields.dayOfMonthRestricted
        dayOfWeekRestricted = fields.dayOfWeekRestricted
    }

    public var description: String { source }

    /// Whether a civil date matches the day fields, with the Vixie either-may-match rule.
    func matchesDay(day: Int64, weekday: Int64) -> Bool {
        let dom = daysOfMonth & (1 << UInt64(day)) != 0
        let dow = daysOfWeek & (1 << UInt64(weekday)) != 0
        if dayOfMonthRestricted && dayOfWeekRestricted { return dom || dow }
        return dom && dow
    }
}
