#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension CronExpression {
    /// The first fire time strictly after `date`, with the fields read as wall-clock time in `timeZone`.
    ///
    /// The search advances field by field (month, day, hour, minute) through civil time, so even a
    /// yearly expression costs a handful of steps. It looks at most ten years ahead and returns `nil`
    /// when nothing matches in that window, which is how impossible expressions such as
    /// `0 0 30 2 *` (February 30th) end.
    ///
    /// **Daylight-saving changes.** Every wall-clock slot fires exactly once:
    /// - A slot that does not exist because clocks spring forward (02:30 in Berlin on the last Sunday
    ///   of March) fires once at the first instant after the gap (03:00 local). Several slots in the
    ///   same gap (`*/15` at 02:00, 02:15, …) and a slot at the end of the gap all fire together as one.
    /// - A slot that occurs twice because clocks fall back (01:30 in New York on the first Sunday of
    ///   November) fires once, at its first occurrence; the repeated hour fires nothing.
    ///
    /// - Parameters:
    ///   - date: The instant to search after.
    ///   - timeZone: The zone whose wall clock the fields describe.
    /// - Returns: The next fire time, or `nil` when there is none within ten years.
    public func next(after date: Date, in timeZone: ScheduleTimeZone) -> Date? {
        let after = date.timeIntervalSince1970
        guard after.isFinite else { return nil }
        let afterSecond = Int64(after.rounded(.down))
        // Wall-clock seconds of `date`, then the first whole wall-clock minute after it.
        let wall = afterSecond + Int64(timeZone.rules.utcOffset(at: afterSecond))
        var candidate = floorDivide(wall, 60) * 60 + 60
        let limitYear = CivilDate.date(daysSinceEpoch: floorDivide(wall, 86_400)).year + 10
        while let local = nextWallMinute(atOrAfter: candidate, limitYear: limitYear) {
            let instant = CronWallClock.resolve(local, in: timeZone.rules)
            if Double(instant) > after { return Date(timeIntervalSince1970: Double(instant)) }
            // The slot's first occurrence (or the end of its gap) is already past: it has fired.
            candidate = local + 60
        }
        return nil
    }

    /// The first wall-clock minute (as seconds since 1970 of the naive local time) at or after `start`
    /// that matches every field, or `nil` past the end of `limitYear`.
    func nextWallMinute(atOrAfter start: Int64, limitYear: Int64) -> Int64? {
        let days = floorDivide(start, 86_400)
        var (year, month, day) = CivilDate.date(daysSinceEpoch: days)
        let secondOfDay = start - days * 86_400
        var hour = secondOfDay / 3600
        var minute = (secondOfDay / 60) % 60

        func nextMonth() {
            month += 1
            if month > 12 {
                month = 1
                year += 1
            }
            day = 1
            hour = 0
            minute = 0
        }
        func nextDay() {
            day += 1
            hour = 0
            minute = 0
            if day > Self.daysIn(month: month, year: year) { nextMonth() }
        }

        while year <= limitYear {
            if months & (1 << UInt64(month)) == 0 {
                nextMonth()
                continue
            }
            let dayCount = CivilDate.daysSinceEpoch(year: year, month: month, day: day)
            let weekday = ((dayCount % 7) + 11) % 7  // 1970-01-01 was a Thursday (4)
            if !matchesDay(day: day, weekday: weekday) {
                nextDay()
                continue
            }
            guard let h = Self.firstBit(in: hours, atOrAfter: hour, upTo: 23) else {
                nextDay()
                continue
            }
            if h != hour {
                hour = h
                minute = 0
            }
            guard let m = Self.firstBit(in: minutes, atOrAfter: minute, upTo: 59) else {
                hour += 1
                minute = 0
                if hour > 23 { nextDay() }
                continue
            }
            return dayCount * 86_400 + hour * 3600 + m * 60
        }
        return nil
    }

    private static func firstBit(in set: UInt64, atOrAfter start: Int64, upTo end: Int64) -> Int64? {
        guard start <= end else { return nil }
        let masked = set & (~0 << UInt64(start))
        guard masked != 0 else { return nil }
        let bit = Int64(masked.trailingZeroBitCount)
        return bit <= end ? bit : nil
    }

    /// Floor division, for day and minute arithmetic on times before 1970.
    private func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// Maps wall-clock times of a zone to instants, with the scheduler's daylight-saving rule.
enum CronWallClock {
    /// The instant (seconds since 1970) at which the wall-clock time `local` fires in `timeZone`:
    /// its first occurrence when it occurs twice, the end of the gap when it does not occur.
    static func resolve(_ local: Int64, in timeZone: TimeZoneRules) -> Int64 {
        // Offsets a day either side bracket any single transition near `local`.
        var offsets: [Int64] = []
        for probe in [local - 86_400, local, local + 86_400] {
            let offset = Int64(timeZone.utcOffset(at: probe))
            if !offsets.contains(offset) { offsets.append(offset) }
        }
        let valid = offsets.map { local - $0 }.filter { offset(at: $0, timeZone) + $0 == local }
        if let first = valid.min() { return first }
        // A gap: the wall clock jumps over `local` somewhere in [low, high]. Find the first instant whose
        // wall-clock time is past `local`; that is the transition itself.
        var low = offsets.map { local - $0 }.min()!
        var high = offsets.map { local - $0 }.max()!
        guard offset(at: high, timeZone) + high > local else { return high }
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if offset(at: middle, timeZone) + middle > local { high = middle } else { low = middle }
        }
        return high
    }

    private static func offset(at instant: Int64, _ timeZone: TimeZoneRules) -> Int64 {
        Int64(timeZone.utcOffset(at: instant))
    }
}
