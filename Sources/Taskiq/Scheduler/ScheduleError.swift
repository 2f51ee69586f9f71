/// A schedule that cannot be used: a missing or conflicting trigger, a bad interval, time zone or
/// time, or an operation a source does not support.
///
/// ``key`` names the offending key of taskiq's schedule form (`cron`, `cron_offset`, `interval`,
/// `time`, ...), so a config loader can prefix its own JSON path (`schedules[2].cron_offset`).
public struct ScheduleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure. Codes are an open set: compare with the static members.
    public typealias Code = ErrorCode<ScheduleError>

    /// What kind of failure this is.
    public var code: Code
    /// The key of taskiq's schedule form the failure is about, if any (`cron`, `interval`, ...).
    public var key: String?
    /// What was found and what was expected.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, key: String? = nil, _ message: String) {
        self.code = code
        self.key = key
        self.message = message
    }

    public var description: String {
        if let key { "\(key): \(message)" } else { message }
    }
}

extension ErrorCode where Domain == ScheduleError {
    /// None, or more than one, of `cron`, `interval` and `time`.
    public static var trigger: Self { "trigger" }
    /// An invalid cron expression.
    public static var invalidCron: Self { "invalid_cron" }
    /// A time zone that is neither an IANA name nor a fixed offset.
    public static var invalidTimeZone: Self { "invalid_time_zone" }
    /// An interval below one second or with a fraction.
    public static var invalidInterval: Self { "invalid_interval" }
    /// A one-off time that is not an ISO-8601 date-time.
    public static var invalidTime: Self { "invalid_time" }
    /// A field of the wrong JSON type.
    public static var invalidValue: Self { "invalid_value" }
    /// The schedule source cannot add or remove schedules.
    public static var unsupported: Self { "unsupported" }
}
