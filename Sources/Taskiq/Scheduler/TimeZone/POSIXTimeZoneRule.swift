/// A POSIX `TZ` rule such as `CET-1CEST,M3.5.0,M10.5.0/3`: a standard offset and, optionally, a
/// daylight-saving offset with the yearly dates it starts and ends.
///
/// A TZif file ends with one of these (its footer); it gives the offsets for instants after the
/// file's last transition. The grammar is POSIX's with RFC 8536's extensions: names quoted in
/// `<...>` (`<+0330>-3:30`), and transition times from -167 to 167 hours.
package struct POSIXTimeZoneRule: Sendable, Hashable {
    /// The day of the year a daylight-saving period starts or ends on.
    package enum Day: Sendable, Hashable {
        /// `Jn`: day 1...365, February 29th never counted (`J60` is always March 1st).
        case julian(Int)
        /// `n`: day 0...365, February 29th counted in leap years.
        case zeroBased(Int)
        /// `Mm.w.d`: weekday `d` (0 = Sunday) of week `w` (1...5, 5 = the last) of month `m`.
        case monthWeekDay(month: Int, week: Int, weekday: Int)
    }

    /// One yearly change: the day, and the local time of day (seconds, may be negative or past
    /// 24 hours) in the offset in effect before the change.
    package struct Transition: Sendable, Hashable {
        /// The day of the year.
        package var day: Day
        /// Seconds after local midnight of `day`.
        package var time: Int
    }

    /// Seconds east of UTC of standard time.
    package var standardOffset: Int
    /// Seconds east of UTC of daylight-saving time, when the zone has it.
    package var daylightOffset: Int?
    /// When daylight-saving time starts each year (read in standard time), when the zone has it.
    package private(set) var start: Transition?
    /// When daylight-saving time ends each year (read in daylight-saving time), when the zone has it.
    package private(set) var end: Transition?

    /// Parses a `TZ` string.
    /// - Parameter text: Such as `EST5EDT,M3.2.0,M11.1.0`, `<+0330>-3:30` or `UTC0`.
    /// - Throws: ``TimeZoneRulesError`` with code `invalidRule`, saying where it went wrong.
    package init(parsing text: String) throws(TimeZoneRulesError) {
        var scanner = POSIXTimeZoneScanner(text)
        standardOffset = 0
        do throws(POSIXTimeZoneScanner.Failure) {
            try scanner.skipName()
            standardOffset = try scanner.offset()
            guard !scanner.isAtEnd else { return }
            try scanner.skipName()
            let daylight = scanner.peekOffsetStart ? try scanner.offset() : standardOffset + 3600
            daylightOffset = daylight
            guard scanner.take(",") else {
                throw scanner.failure("a daylight-saving zone without the dates it starts and ends")
            }
            let start = try scanner.transition()
            guard scanner.take(",") else { throw scanner.failure("expected ',' and the date daylight-saving time ends") }
            let end = try scanner.transition()
            guard scanner.isAtEnd else { throw scanner.failure("unexpected text after the rule") }
            self.start = start
            self.end = end
        } catch let failure {
            throw TimeZoneRulesError(.invalidRule, "invalid POSIX TZ rule '\(text)': \(failure.message)")
        }
    }

    /// Seconds east of UTC at `instant` (seconds since 1970, UTC).
    package func utcOffset(at instant: Int64) -> Int {
        guard let daylight = daylightOffset, let start, let end else { return standardOffset }
        // The Gregorian calendar, weekdays included, repeats every 400 years (146,097 days, exactly
        // 20,871 weeks), so a far instant maps to one in range and the arithmetic cannot overflow.
        let cycle: Int64 = 146_097 * 86_400
        let instant = instant.magnitude > 1 << 40 ? instant % cycle : instant
        let year = CivilDate.date(daysSinceEpoch: floorDivide(instant + Int64(standardOffset), 86_400)).year
        // The changes of the years around `instant`, in order: the last one at or before it decides.
        // Ties (a period that ends as the next begins: daylight time all year) go to the later year.
        var latest: (instant: Int64, daylight: Bool)?
        for candidate in year - 1...year + 1 {
            let changes = [
                (changeInstant(of: start, in: candidate, offset: standardOffset), true),
                (changeInstant(of: end, in: candidate, offset: daylight), false),
            ]
            for change in changes where change.0 <= instant {
                if latest == nil || change.0 >= latest!.instant { latest = change }
            }
        }
        // Before every change considered: the state the end of the previous year leaves.
        guard let latest else { return standardOffset }
        return latest.daylight ? daylight : standardOffset
    }

    /// The UTC instant of `transition` in `year`, its time read in `offset`.
    private func changeInstant(of transition: Transition, in year: Int64, offset: Int) -> Int64 {
        let day: Int64
        switch transition.day {
        case .julian(let n):
            let leap = CronExpression.daysIn(month: 2, year: year) == 29
            day = CivilDate.daysSinceEpoch(year: year, month: 1, day: 1) + Int64(n - 1) + (leap && n >= 60 ? 1 : 0)
        case .zeroBased(let n):
            day = CivilDate.daysSinceEpoch(year: year, month: 1, day: 1) + Int64(n)
        case .monthWeekDay(let month, let week, let weekday):
            let first = CivilDate.daysSinceEpoch(year: year, month: Int64(month), day: 1)
            let firstWeekday = ((first % 7) + 11) % 7  // 1970-01-01 was a Thursday (4)
            var dayOfMonth = 1 + (Int64(weekday) - firstWeekday + 7) % 7 + 7 * Int64(week - 1)
            let length = CronExpression.daysIn(month: Int64(month), year: year)
            while dayOfMonth > length { dayOfMonth -= 7 }
            day = first + dayOfMonth - 1
        }
        return day * 86_400 + Int64(transition.time) - Int64(offset)
    }

    private func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}

extension POSIXTimeZoneRule: CustomStringConvertible {
    /// The offsets, for test failures and logs.
    package var description: String {
        "POSIXTimeZoneRule(standard: \(standardOffset), daylight: \(daylightOffset.map(String.init) ?? "none"))"
    }
}
