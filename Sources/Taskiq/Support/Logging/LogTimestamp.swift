#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A wall-clock instant with millisecond rendering, formatted without Foundation.
struct LogTimestamp: Sendable, Equatable {
    /// Seconds since the Unix epoch.
    var seconds: Int
    /// Nanoseconds within the second.
    var nanoseconds: Int

    static func now() -> LogTimestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return LogTimestamp(seconds: Int(spec.tv_sec), nanoseconds: Int(spec.tv_nsec))
    }

    /// `2026-11-25T13:14:46.123Z`.
    var iso8601: String {
        formatted(dateTimeSeparator: UInt8(ascii: "T"), fractionSeparator: UInt8(ascii: "."), zulu: true)
    }

    /// Python logging's default `asctime`, in UTC: `2026-11-25 13:14:46,123`.
    var asctime: String {
        formatted(dateTimeSeparator: UInt8(ascii: " "), fractionSeparator: UInt8(ascii: ","), zulu: false)
    }

    private func formatted(dateTimeSeparator: UInt8, fractionSeparator: UInt8, zulu: Bool) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = Self.civilDate(daysSinceEpoch: days)
        let millisecond = nanoseconds / 1_000_000
        return String(unsafeUninitializedCapacity: 24) { buffer in
            var position = 0
            func put(_ value: Int, digits: Int) {
                var value = value
                var index = position + digits - 1
                while index >= position {
                    buffer[index] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                    index -= 1
                }
                position += digits
            }
            func put(_ byte: UInt8) {
                buffer[position] = byte
                position += 1
            }
            put(max(0, min(year, 9999)), digits: 4)
            put(UInt8(ascii: "-"))
            put(month, digits: 2)
            put(UInt8(ascii: "-"))
            put(day, digits: 2)
            put(dateTimeSeparator)
            put(secondOfDay / 3600, digits: 2)
            put(UInt8(ascii: ":"))
            put(secondOfDay / 60 % 60, digits: 2)
            put(UInt8(ascii: ":"))
            put(secondOfDay % 60, digits: 2)
            put(fractionSeparator)
            put(millisecond, digits: 3)
            if zulu { put(UInt8(ascii: "Z")) }
            return position
        }
    }

    /// Proleptic Gregorian date from days since 1970-01-01 (Howard Hinnant's `civil_from_days`).
    private static func civilDate(daysSinceEpoch: Int) -> (year: Int, month: Int, day: Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}
