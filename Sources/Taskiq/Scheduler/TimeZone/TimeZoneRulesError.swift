/// A time zone that cannot be loaded: a bad name, a missing zone database or file, or zone data
/// (TZif bytes or a POSIX `TZ` string) that does not parse.
public struct TimeZoneRulesError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure. Codes are an open set: compare with the static members.
    public typealias Code = ErrorCode<TimeZoneRulesError>

    /// What kind of failure this is.
    public var code: Code
    /// What was found and what was expected, naming the zone and file.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}

extension ErrorCode where Domain == TimeZoneRulesError {
    /// A zone name with characters or parts an IANA name does not have (`..`, a leading `/`).
    public static var invalidName: Self { "invalid_name" }
    /// The zone database directory does not exist (the `tzdata` package is not installed).
    public static var missingDatabase: Self { "missing_database" }
    /// The database has no zone of that name.
    public static var unknownZone: Self { "unknown_zone" }
    /// The zone file exists but cannot be read.
    public static var unreadable: Self { "unreadable" }
    /// The zone file is not valid TZif data.
    public static var invalidData: Self { "invalid_data" }
    /// A POSIX `TZ` string (a TZif footer) that does not parse.
    public static var invalidRule: Self { "invalid_rule" }
}
