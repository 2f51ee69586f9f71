import TaskiqTestSupport
import Testing

@testable import Taskiq

/// The TZif footer rules: parsing every form RFC 8536 allows, and the offsets they give on both
/// sides of each yearly change.
@Suite struct POSIXTimeZoneRuleTests {
    /// A rule, an instant (UTC, ISO 8601) and the expected offset in seconds.
    struct Case: Sendable, CustomTestStringConvertible {
        var rule: String
        var instant: String
        var offset: Int
        var testDescription: String { "\(rule) at \(instant)" }
    }

    static let cases: [Case] = [
        // Central Europe: changes at 01:00 UTC on the last Sundays of March and October.
        Case(rule: "CET-1CEST,M3.5.0,M10.5.0/3", instant: "2030-01-15T12:00:00Z", offset: 3600),
        Case(rule: "CET-1CEST,M3.5.0,M10.5.0/3", instant: "2030-03-31T00:59:59Z", offset: 3600),
        Case(rule: "CET-1CEST,M3.5.0,M10.5.0/3", instant: "2030-03-31T01:00:00Z", offset: 7200),
        Case(rule: "CET-1CEST,M3.5.0,M10.5.0/3", instant: "2030-10-27T00:59:59Z", offset: 7200),
        Case(rule: "CET-1CEST,M3.5.0,M10.5.0/3", instant: "2030-10-27T01:00:00Z", offset: 3600),
        // A month with five Sundays: M3.5.0 is the 5th (2029-03-25 is the last, not a 5th week overflow).
        Case(rule: "CET-1CEST,M3.5.0,M10.5.0/3", instant: "2029-03-25T01:00:00Z", offset: 7200),
        Case(rule: "CET-1CEST,M3.5.0,M10.5.0/3", instant: "2029-03-25T00:59:59Z", offset: 3600),
        // US Eastern: second Sunday of March 02:00 EST, first Sunday of November 02:00 EDT.
        Case(rule: "EST5EDT,M3.2.0,M11.1.0", instant: "2040-03-11T06:59:59Z", offset: -18_000),
        Case(rule: "EST5EDT,M3.2.0,M11.1.0", instant: "2040-03-11T07:00:00Z", offset: -14_400),
        Case(rule: "EST5EDT,M3.2.0,M11.1.0", instant: "2040-11-04T05:59:59Z", offset: -14_400),
        Case(rule: "EST5EDT,M3.2.0,M11.1.0", instant: "2040-11-04T06:00:00Z", offset: -18_000),
        // Quoted names and minutes: Iran's fixed +03:30.
        Case(rule: "<+0330>-3:30", instant: "2050-06-01T00:00:00Z", offset: 12_600),
        Case(rule: "<-03>3", instant: "2050-06-01T00:00:00Z", offset: -10_800),
        Case(rule: "UTC0", instant: "2050-06-01T00:00:00Z", offset: 0),
        Case(rule: "<+0545>-5:45", instant: "2050-06-01T00:00:00Z", offset: 20_700),
        // Southern hemisphere (Lord Howe: 30-minute DST, a period spanning New Year).
        Case(rule: "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", instant: "2045-01-01T00:00:00Z", offset: 39_600),
        Case(rule: "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", instant: "2045-07-01T00:00:00Z", offset: 37_800),
        // Negative transition times (Greenland: -02:00 local, i.e. 01:00 UTC).
        Case(rule: "<-02>2<-01>,M3.5.0/-1,M10.5.0/0", instant: "2040-03-25T00:59:59Z", offset: -7200),
        Case(rule: "<-02>2<-01>,M3.5.0/-1,M10.5.0/0", instant: "2040-03-25T01:00:00Z", offset: -3600),
        // Beyond 24 hours (Israel: 26:00 on the fourth Thursday, i.e. Friday 02:00).
        Case(rule: "IST-2IDT,M3.4.4/26,M10.5.0", instant: "2040-03-22T23:59:59Z", offset: 7200),
        Case(rule: "IST-2IDT,M3.4.4/26,M10.5.0", instant: "2040-03-23T00:00:00Z", offset: 10_800),
        // Negative DST (Ireland: winter is the "daylight" offset).
        Case(rule: "IST-1GMT0,M10.5.0,M3.5.0/1", instant: "2040-01-15T00:00:00Z", offset: 0),
        Case(rule: "IST-1GMT0,M10.5.0,M3.5.0/1", instant: "2040-07-15T00:00:00Z", offset: 3600),
        // Jn never counts February 29th: J60 is March 1st, leap year or not.
        Case(rule: "XXX3YYY,J60/0,J300/0", instant: "2040-02-29T02:59:59Z", offset: -10_800),
        Case(rule: "XXX3YYY,J60/0,J300/0", instant: "2040-03-01T02:59:59Z", offset: -10_800),
        Case(rule: "XXX3YYY,J60/0,J300/0", instant: "2040-03-01T03:00:00Z", offset: -7200),
        // n counts from 0 and does count February 29th: 59 is February 29th in 2040, March 1st in 2041.
        Case(rule: "XXX3YYY,59/0,300/0", instant: "2040-02-29T03:00:00Z", offset: -7200),
        Case(rule: "XXX3YYY,59/0,300/0", instant: "2040-02-29T02:59:59Z", offset: -10_800),
        Case(rule: "XXX3YYY,59/0,300/0", instant: "2041-02-28T12:00:00Z", offset: -10_800),
        Case(rule: "XXX3YYY,59/0,300/0", instant: "2041-03-01T03:00:00Z", offset: -7200),
        // Daylight time all year: the period ends as the next begins.
        Case(rule: "EST5EDT,0/0,J365/25", instant: "2040-01-01T04:30:00Z", offset: -14_400),
        Case(rule: "EST5EDT,0/0,J365/25", instant: "2040-12-31T23:59:59Z", offset: -14_400),
        Case(rule: "EST5EDT,0/0,J365/25", instant: "2040-07-01T00:00:00Z", offset: -14_400),
        // An explicit daylight offset with seconds.
        Case(rule: "AAA-1:00:30BBB-2:00:45,M3.5.0,M10.5.0/3", instant: "2040-07-01T00:00:00Z", offset: 7245),
        // Before 1970.
        Case(rule: "CET-1CEST,M3.5.0,M10.5.0/3", instant: "1901-07-01T00:00:00Z", offset: 7200),
        Case(rule: "CET-1CEST,M3.5.0,M10.5.0/3", instant: "1901-12-01T00:00:00Z", offset: 3600),
    ]

    @Test(arguments: cases)
    func offsets(_ row: Case) throws {
        let rule = try POSIXTimeZoneRule(parsing: row.rule)
        #expect(rule.utcOffset(at: Int64(utc(row.instant).timeIntervalSince1970)) == row.offset)
    }

    @Test(arguments: [
        "", "C", "CE", "CET", "CET-1CEST", "CET-1CEST,M3.5.0", "CET-25", "CET-1:60", "CET-1:00:60",
        "<+03", "<+3>-3", "<+0!3>-3", "CET-1CEST,M13.1.0,M10.5.0", "CET-1CEST,M3.6.0,M10.5.0",
        "CET-1CEST,M3.5.7,M10.5.0", "CET-1CEST,M3.5.0/168,M10.5.0", "CET-1CEST,J0,J300",
        "CET-1CEST,J366,J300", "CET-1CEST,366,300", "CET-1CEST,M3.5.0,M10.5.0/3x", "CET-1x",
        "CET-0001", "CET-1CEST,M3.5.0,M10.5.0,", "CET-1CEST,M3.5,M10.5.0", "123-1", "CET-1CEST,M03.5.0.1,M10.5.0",
    ])
    func rejects(_ text: String) {
        #expect(throws: TimeZoneRulesError.self) { try POSIXTimeZoneRule(parsing: text) }
    }

    @Test func errorNamesTheRuleAndWhere() {
        #expect {
            try POSIXTimeZoneRule(parsing: "CET-1CEST,M13.5.0,M10.5.0")
        } throws: { error in
            let error = error as? TimeZoneRulesError
            return error?.code == .invalidRule && error?.message.contains("'CET-1CEST,M13.5.0,M10.5.0'") == true
                && error?.message.contains("month 1...12") == true
        }
    }

    /// Random rules built from valid parts never trap, at instants across ±10,000 years.
    @Test func randomRulesNeverTrap() throws {
        var generator = SeededGenerator(seed: 15)
        let days = ["M3.5.0", "M10.5.0", "M1.1.6", "M12.5.3", "J1", "J365", "J60", "0", "365", "59"]
        let times = ["", "/0", "/-167", "/167", "/26", "/-1:30", "/2:00:01"]
        for _ in 0..<2000 {
            let std = Int.random(in: -24...24, using: &generator)
            let dst = Int.random(in: -24...24, using: &generator)
            let text =
                "<AAA>\(std)<BBB>\(dst),\(days.randomElement(using: &generator)!)\(times.randomElement(using: &generator)!)"
                + ",\(days.randomElement(using: &generator)!)\(times.randomElement(using: &generator)!)"
            let rule = try POSIXTimeZoneRule(parsing: text)
            for _ in 0..<20 {
                let instant = Int64.random(in: -315_569_520_000...315_569_520_000, using: &generator)
                let offset = rule.utcOffset(at: instant)
                #expect(offset == -std * 3600 || offset == -dst * 3600, "\(text) at \(instant)")
            }
        }
    }
}
