#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The time zone a cron schedule's fields are read in: an IANA name or a fixed UTC offset.
///
/// Accepted spellings (taskiq's `cron_offset`):
/// - an IANA name, `Europe/Berlin`, `America/New_York` (daylight-saving rules apply, see
///   ``CronExpression/next(after:in:)``);
/// - `UTC`, `Z` or `GMT`;
/// - a fixed offset `+02:00`, `-0530`, `+02`;
/// - an ISO-8601 duration `PT2H`, `-PT5H30M`, `P0D`, which is how Python taskiq writes a
///   `timedelta` offset (it fires when `now + offset` matches, the same as a zone that far ahead of UTC).
///
/// Without a zone, cron schedules run in UTC, as in taskiq. Names are read from the system's zone
/// database (see ``TimeZoneRules``), not through Foundation's `TimeZone`.
public struct ScheduleTimeZone: Sendable, Hashable, CustomStringConvertible {
    /// The text the zone was parsed from (`UTC` for the default).
    public let source: String
    /// The zone's UTC offsets through history (a single one for a fixed offset).
    public let rules: TimeZoneRules

    /// UTC, the default for cron schedules.
    public static let utc = ScheduleTimeZone(source: "UTC", rules: .fixed(utcOffset: 0))

    private init(source: String, rules: TimeZoneRules) {
        self.source = source
        self.rules = rules
    }

    /// The seconds east of UTC in this zone at `date`: its wall clock reads `date` plus this.
    /// - Parameter date: The instant.
    /// - Returns: The offset, such as `7200` for Berlin in summer.
    public func utcOffset(at date: Date) -> Int {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        guard seconds.isFinite else { return rules.utcOffset(at: 0) }
        return rules.utcOffset(at: Int64(max(-1e17, min(1e17, seconds))))
    }

    /// Parses a zone name or offset.
    /// - Parameter text: An IANA name, `UTC`, `±HH:MM`, `±HHMM`, `±HH` or an ISO-8601 duration.
    /// - Throws: ``ScheduleError`` with code `.invalidTimeZone`: for text that is none of these,
    ///   and for a name whose zone file is missing, unreadable or damaged (the message names the
    ///   file, and the `tzdata` package when there is no zone database at all).
    public init(_ text: String) throws(ScheduleError) {
        let trimmed = text.trimmingASCIIWhitespace()
        let seconds: Int?
        switch trimmed.uppercased() {
        case "UTC", "Z", "GMT": seconds = 0
        default:
            if let first = trimmed.first, first == "+" || first == "-", trimmed.dropFirst().first?.isNumber == true {
                seconds = Self.parseOffset(trimmed)
            } else if trimmed.uppercased().hasPrefix("P") || trimmed.uppercased().hasPrefix("-P") {
                seconds = Self.parseDuration(trimmed)
            } else if !trimmed.isEmpty, TimeZoneRules.problem(withName: trimmed) == nil {
                do {
                    self.init(source: trimmed, rules: try TimeZoneRules.load(named: trimmed))
                    return
                } catch let error where error.code != .unknownZone {
                    throw ScheduleError(.invalidTimeZone, key: "cron_offset", error.message)
                } catch {
                    throw Self.notAZone(text)
                }
            } else {
                throw Self.notAZone(text)
            }
        }
        guard let seconds, abs(seconds) <= 18 * 3600 else {
            throw ScheduleError(
                .invalidTimeZone, key: "cron_offset",
                "'\(text)' is not a UTC offset between -18:00 and +18:00")
        }
        self.init(source: trimmed, rules: .fixed(utcOffset: seconds))
    }

    public var description: String { source }

    private static func notAZone(_ text: String) -> ScheduleError {
        ScheduleError(
            .invalidTimeZone, key: "cron_offset",
            """
            '\(text)' is not a time zone (expected an IANA name such as 'Europe/Berlin', \
            an offset such as '+02:00', or an ISO-8601 duration such as 'PT2H')
            """)
    }

    /// `±HH`, `±HHMM` or `±HH:MM`.
    private static func parseOffset(_ text: String) -> Int? {
        let sign = text.hasPrefix("-") ? -1 : 1
        let digits = text.dropFirst().filter { $0 != ":" }
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits.count == 2 || digits.count == 4,
            text.dropFirst().filter({ $0 == ":" }).count <= (digits.count == 4 ? 1 : 0)
        else { return nil }
        let hours = Int(digits.prefix(2))!
        let minutes = digits.count == 4 ? Int(digits.suffix(2))! : 0
        guard minutes < 60 else { return nil }
        return sign * (hours * 3600 + minutes * 60)
    }

    /// An ISO-8601 duration of days, hours, minutes and whole seconds: `[-]P[nD][T[nH][nM][nS]]`,
    /// each number optionally signed (pydantic writes negative timedeltas either way).
    static func parseDuration(_ text: String) -> Int? {
        var rest = Substring(text.uppercased())
        var sign = 1
        if rest.hasPrefix("-") {
            sign = -1
            rest = rest.dropFirst()
        }
        guard rest.hasPrefix("P") else { return nil }
        rest = rest.dropFirst()
        var total = 0
        var inTime = false
        var sawComponent = false
        var number = ""
        for character in rest {
            if character == "T", !inTime, number.isEmpty {
                inTime = true
                continue
            }
            if character.isNumber || character == "-" || character == "+" || character == "." {
                number.append(character)
                continue
            }
            guard let value = Double(number), value.rounded() == value, abs(value) < 1e9 else { return nil }
            let unit: Int
            switch (character, inTime) {
            case ("D", false): unit = 86_400
            case ("H", true): unit = 3600
            case ("M", true): unit = 60
            case ("S", true): unit = 1
            default: return nil
            }
            total += Int(value) * unit
            number = ""
            sawComponent = true
        }
        guard number.isEmpty, sawComponent else { return nil }
        return sign * total
    }
}
