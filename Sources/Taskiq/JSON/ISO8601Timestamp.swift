/// Formats and parses ISO-8601 timestamps as seconds since 1970, without Foundation's formatters,
/// accepting the forms Python writes (`2024-01-02T03:04:05.678000+00:00`, pydantic's `...Z`).
package enum ISO8601Timestamp {
    /// Formats as `YYYY-MM-DDTHH:MM:SS.ffffffZ` in UTC, with microseconds as Python's `datetime` has.
    package static func format(secondsSince1970 seconds: Double) -> String {
        let micros = Int64((seconds * 1_000_000).rounded())
        let (wholeSeconds, fraction) = floorDivide(micros, 1_000_000)
        let (days, secondOfDay) = floorDivide(wholeSeconds, 86_400)
        let (year, month, day) = CivilDate.date(daysSinceEpoch: days)
        var out = ""
        out.reserveCapacity(27)
        out += pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
        out += "T" + pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
        out += "." + pad(fraction, 6) + "Z"
        return out
    }

    /// Parses `YYYY-MM-DD`, optionally followed by `T` (or a space) and `HH:MM[:SS[.fraction]]`
    /// and a zone (`Z` or `±HH:MM`; none means UTC). Returns `nil` for anything else.
    package static func parse(_ text: String) -> Double? {
        let b = Array(text.utf8)
        var i = 0
        func number(_ digits: Int) -> Int64? {
            guard i + digits <= b.count else { return nil }
            var value: Int64 = 0
            for k in i..<i + digits {
                guard b[k] &- 0x30 < 10 else { return nil }
                value = value * 10 + Int64(b[k] - 0x30)
            }
            i += digits
            return value
        }
        func take(_ byte: UInt8) -> Bool {
            guard i < b.count, b[i] == byte else { return false }
            i += 1
            return true
        }
        guard let year = number(4), take(UInt8(ascii: "-")), let month = number(2), take(UInt8(ascii: "-")),
            let day = number(2), (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year)
        else { return nil }
        var seconds = Double(CivilDate.daysSinceEpoch(year: year, month: month, day: day) * 86_400)
        guard i < b.count else { return seconds }
        guard take(UInt8(ascii: "T")) || take(UInt8(ascii: "t")) || take(UInt8(ascii: " ")),
            let hour = number(2), take(UInt8(ascii: ":")), let minute = number(2), hour < 24, minute < 60
        else { return nil }
        var second: Int64 = 0
        if take(UInt8(ascii: ":")) {
            guard let s = number(2), s < 61 else { return nil }
            second = s
        }
        seconds += Double(hour * 3600 + minute * 60 + second)
        if take(UInt8(ascii: ".")) || take(UInt8(ascii: ",")) {
            var scale = 0.1
            var fraction = 0.0
            let start = i
            while i < b.count, b[i] &- 0x30 < 10 {
                fraction += Double(b[i] - 0x30) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
            seconds += fraction
        }
        if take(UInt8(ascii: "Z")) || take(UInt8(ascii: "z")) {
        } else if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign: Int64 = b[i] == UInt8(ascii: "-") ? -1 : 1
            i += 1
            guard let zoneHours = number(2) else { return nil }
            _ = take(UInt8(ascii: ":"))
            guard let zoneMinutes = number(2), zoneHours < 24, zoneMinutes < 60 else { return nil }
            seconds -= Double(sign * (zoneHours * 3600 + zoneMinutes * 60))
        }
        return i == b.count ? seconds : nil
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b
        let r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    private static func isLeap(_ year: Int64) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
