import Foundation
import TaskiqTestSupport
import Testing

@testable import Taskiq

/// The next `count` fire times after `start`.
func fires(_ expression: String, zone: String? = nil, after start: String, count: Int) throws -> [String] {
    let cron = try CronExpression(expression)
    let timeZone = try zone.map { try ScheduleTimeZone($0) } ?? .utc
    var result: [String] = []
    var cursor = utc(start)
    for _ in 0..<count {
        guard let next = cron.next(after: cursor, in: timeZone) else {
            result.append("nil")
            break
        }
        result.append(iso(next))
        cursor = next
    }
    return result
}

struct CronCase: Sendable, CustomTestStringConvertible {
    var expression: String
    var zone: String?
    var start: String
    var expected: [String]
    init(_ expression: String, zone: String? = nil, _ start: String, _ expected: [String]) {
        self.expression = expression
        self.zone = zone
        self.start = start
        self.expected = expected
    }
    var testDescription: String { "\(expression)\(zone.map { " [\($0)]" } ?? "") after \(start)" }
}

extension SchedulerTests {
    @Suite struct CronExpressionTests {
        static let table: [CronCase] = [
            CronCase("* * * * *", "2025-01-01T00:00:00Z", ["2025-01-01T00:01:00Z", "2025-01-01T00:02:00Z", "2025-01-01T00:03:00Z"]),
            CronCase("* * * * *", "2025-01-01T00:00:30Z", ["2025-01-01T00:01:00Z", "2025-01-01T00:02:00Z"]),
            CronCase(
                "*/15 * * * *", "2025-01-01T00:00:00Z",
                ["2025-01-01T00:15:00Z", "2025-01-01T00:30:00Z", "2025-01-01T00:45:00Z", "2025-01-01T01:00:00Z"]),
            CronCase("0 * * * *", "2025-01-01T00:00:00Z", ["2025-01-01T01:00:00Z", "2025-01-01T02:00:00Z"]),
            CronCase("@hourly", "2025-01-01T10:59:59Z", ["2025-01-01T11:00:00Z", "2025-01-01T12:00:00Z"]),
            CronCase("30 2 * * *", "2025-01-01T00:00:00Z", ["2025-01-01T02:30:00Z", "2025-01-02T02:30:00Z"]),
            CronCase("@daily", "2025-01-01T00:00:00Z", ["2025-01-02T00:00:00Z", "2025-01-03T00:00:00Z"]),
            CronCase("@midnight", "2024-12-31T23:59:00Z", ["2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z"]),
            CronCase("@weekly", "2025-01-01T00:00:00Z", ["2025-01-05T00:00:00Z", "2025-01-12T00:00:00Z"]),
            CronCase("@monthly", "2025-01-15T00:00:00Z", ["2025-02-01T00:00:00Z", "2025-03-01T00:00:00Z"]),
            CronCase("@yearly", "2025-01-01T00:00:00Z", ["2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"]),
            CronCase("@ANNUALLY", "2024-06-01T00:00:00Z", ["2025-01-01T00:00:00Z"]),
            CronCase("0 9 * * MON-FRI", "2025-01-03T10:00:00Z", ["2025-01-06T09:00:00Z", "2025-01-07T09:00:00Z"]),
            CronCase("0 9 * * 1-5", "2025-01-04T00:00:00Z", ["2025-01-06T09:00:00Z"]),
            CronCase("0 0 * * 0", "2025-01-01T00:00:00Z", ["2025-01-05T00:00:00Z", "2025-01-12T00:00:00Z"]),
            CronCase("0 0 * * 7", "2025-01-01T00:00:00Z", ["2025-01-05T00:00:00Z", "2025-01-12T00:00:00Z"]),
            CronCase("0 0 * * sun", "2025-01-01T00:00:00Z", ["2025-01-05T00:00:00Z"]),
            CronCase(
                "0 0 * * SAT,SUN", "2025-01-01T00:00:00Z",
                ["2025-01-04T00:00:00Z", "2025-01-05T00:00:00Z", "2025-01-11T00:00:00Z"]),
            CronCase(
                "0 0 * * 5-7", "2025-01-01T00:00:00Z",
                ["2025-01-03T00:00:00Z", "2025-01-04T00:00:00Z", "2025-01-05T00:00:00Z", "2025-01-10T00:00:00Z"]),
            CronCase("0 0 29 2 *", "2025-01-01T00:00:00Z", ["2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"]),
            CronCase("0 0 29 2 *", "2096-03-01T00:00:00Z", ["2104-02-29T00:00:00Z"]),
            CronCase(
                "0 0 31 * *", "2025-01-31T00:00:00Z",
                ["2025-03-31T00:00:00Z", "2025-05-31T00:00:00Z", "2025-07-31T00:00:00Z"]),
            // Both day fields restricted: either may match (Vixie cron).
            CronCase(
                "0 0 13 * FRI", "2025-01-01T00:00:00Z",
                ["2025-01-03T00:00:00Z", "2025-01-10T00:00:00Z", "2025-01-13T00:00:00Z", "2025-01-17T00:00:00Z"]),
            CronCase(
                "0 0 1 * MON", "2025-01-25T00:00:00Z",
                ["2025-01-27T00:00:00Z", "2025-02-01T00:00:00Z", "2025-02-03T00:00:00Z"]),
            // A day-of-month starting with `*` is unrestricted, so both must match.
            CronCase(
                "0 0 */2 * MON", "2025-01-01T00:00:00Z",
                ["2025-01-13T00:00:00Z", "2025-01-27T00:00:00Z", "2025-02-03T00:00:00Z"]),
            CronCase(
                "5,10,15 8-10/2 * * *", "2025-01-01T00:00:00Z",
                ["2025-01-01T08:05:00Z", "2025-01-01T08:10:00Z", "2025-01-01T08:15:00Z", "2025-01-01T10:05:00Z"]),
            CronCase(
                "10-20/5 * * * *", "2025-01-01T00:00:00Z",
                ["2025-01-01T00:10:00Z", "2025-01-01T00:15:00Z", "2025-01-01T00:20:00Z", "2025-01-01T01:10:00Z"]),
            CronCase(
                "50/5 * * * *", "2025-01-01T00:00:00Z",
                ["2025-01-01T00:50:00Z", "2025-01-01T00:55:00Z", "2025-01-01T01:50:00Z"]),
            CronCase("0 0 1 JAN,jul *", "2025-01-01T00:00:00Z", ["2025-07-01T00:00:00Z", "2026-01-01T00:00:00Z"]),
            CronCase("0 12 * 2 *", "2025-01-01T00:00:00Z", ["2025-02-01T12:00:00Z", "2025-02-02T12:00:00Z"]),
            CronCase("59 23 31 12 *", "2025-01-01T00:00:00Z", ["2025-12-31T23:59:00Z", "2026-12-31T23:59:00Z"]),
            CronCase("0 0 * * *", "2025-01-01T23:59:59.999Z", ["2025-01-02T00:00:00Z"]),
            CronCase(
                "0 */6 * * *", "2025-01-01T00:00:00Z",
                ["2025-01-01T06:00:00Z", "2025-01-01T12:00:00Z", "2025-01-01T18:00:00Z", "2025-01-02T00:00:00Z"]),
            CronCase("  0\t12  *  *  * ", "2025-01-01T00:00:00Z", ["2025-01-01T12:00:00Z"]),
            CronCase("0 0 1 1 *", "1969-06-01T00:00:00Z", ["1970-01-01T00:00:00Z", "1971-01-01T00:00:00Z"]),
            // Impossible dates end the search instead of looping forever.
            CronCase("0 0 30 2 *", "2025-01-01T00:00:00Z", ["nil"]),
            CronCase("0 0 31 4,6,9,11 *", "2025-01-01T00:00:00Z", ["nil"]),
            // Time zones and fixed offsets.
            CronCase("0 9 * * *", zone: "Asia/Tokyo", "2025-01-01T00:00:00Z", ["2025-01-02T00:00:00Z"]),
            CronCase("0 9 * * *", zone: "+05:30", "2025-01-01T00:00:00Z", ["2025-01-01T03:30:00Z", "2025-01-02T03:30:00Z"]),
            CronCase("0 0 * * *", zone: "PT2H", "2025-01-01T00:00:00Z", ["2025-01-01T22:00:00Z"]),
            CronCase("0 0 * * *", zone: "-0500", "2025-01-01T00:00:00Z", ["2025-01-01T05:00:00Z"]),
            CronCase("0 0 * * *", zone: "-PT5H", "2025-01-01T00:00:00Z", ["2025-01-01T05:00:00Z"]),
            CronCase("0 0 * * *", zone: "utc", "2025-01-01T00:00:00Z", ["2025-01-02T00:00:00Z"]),
        ]

        @Test(arguments: table)
        func nextFireTimes(_ row: CronCase) throws {
            #expect(try fires(row.expression, zone: row.zone, after: row.start, count: row.expected.count) == row.expected)
        }

        static let invalid: [(String, String?, String, String)] = [
            ("0 25 * * *", "hour", "25", "field 'hour': value 25 is out of range 0-23"),
            ("60 * * * *", "minute", "60", "field 'minute': value 60 is out of range 0-59"),
            ("* * 0 * *", "day-of-month", "0", "field 'day-of-month': value 0 is out of range 1-31"),
            ("* * * 13 *", "month", "13", "field 'month': value 13 is out of range 1-12"),
            ("* * * * 8", "day-of-week", "8", "field 'day-of-week': value 8 is out of range 0-7"),
            ("1-70 * * * *", "minute", "1-70", "field 'minute': value 70 is out of range 0-59"),
            ("*/0 * * * *", "minute", "*/0", "field 'minute': step 0 must be at least 1"),
            ("*/x * * * *", "minute", "*/x", "field 'minute': step 'x' is not a number"),
            ("5-3 * * * *", "minute", "5-3", "field 'minute': range 5-3 is reversed (the start must not exceed the end)"),
            ("* * * FOO *", "month", "FOO", "field 'month': 'FOO' is not a number 1-12 or a name JAN-DEC"),
            ("* * * * MONDAY", "day-of-week", "MONDAY", "field 'day-of-week': 'MONDAY' is not a number 0-7 or a name SUN-SAT"),
            ("a * * * *", "minute", "a", "field 'minute': 'a' is not a number 0-59"),
            ("-5 * * * *", "minute", "-5", "field 'minute': '-5' is not a number 0-59"),
            ("1,,2 * * * *", "minute", "", "field 'minute': empty list item in '1,,2 * * * *'"),
            ("* * * *", nil, "* * * *", "expected 5 fields (minute hour day-of-month month day-of-week) but found 4"),
            ("* * * * * *", nil, "* * * * * *", "expected 5 fields (minute hour day-of-month month day-of-week) but found 6"),
            ("", nil, "", "expected 5 fields (minute hour day-of-month month day-of-week) but found 0"),
            (
                "@often", nil, "@often",
                "unknown alias '@often' (expected one of @annually, @daily, @hourly, @midnight, @monthly, @weekly, @yearly)"
            ),
        ]

        @Test(arguments: invalid)
        func invalidExpressions(_ row: (String, String?, String, String)) {
            let (expression, field, token, message) = row
            #expect {
                try CronExpression(expression)
            } throws: { error in
                guard let error = error as? CronExpressionError else { return false }
                #expect(error.field == field)
                #expect(error.token == token)
                #expect(error.message == message)
                #expect(error.description == "invalid cron expression '\(expression)': \(message)")
                return true
            }
        }

        @Test func aliasesEqualTheirExpansions() throws {
            let start = utc("2025-03-03T10:10:00Z")
            for (alias, expansion) in [
                ("@hourly", "0 * * * *"), ("@daily", "0 0 * * *"), ("@weekly", "0 0 * * 0"),
                ("@monthly", "0 0 1 * *"), ("@yearly", "0 0 1 1 *"),
            ] {
                #expect(
                    try CronExpression(alias).next(after: start, in: .utc)
                        == CronExpression(expansion).next(after: start, in: .utc), "\(alias)")
            }
        }
    }
}
