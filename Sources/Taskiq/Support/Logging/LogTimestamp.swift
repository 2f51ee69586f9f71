/// A wall-clock instant with millisecond rendering, formatted without Foundation.
struct LogTimestamp: Sendable, Equatable {
    /// Seconds since the Unix epoch.
    var seconds: Int
    /// Nanoseconds within the second.
    var nanoseconds: Int

    static func now() -> LogTimestamp {
        let (seconds, nanoseconds) = WallClock.now()
        return LogTimestamp(seconds: seconds, nanoseconds: nanoseconds)
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
        let civil = CivilDate.date(daysSinceEpoch: Int64(days))
        let (year, month, day) = (Int(civil.year), Int(civil.month), Int(civil.day))
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
}
