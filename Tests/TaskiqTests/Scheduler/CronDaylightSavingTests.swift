import Foundation
import TaskiqTestSupport
import Testing

@testable import Taskiq

extension SchedulerTests {
    /// Daylight-saving transitions in two zones, both directions. The rule: a wall-clock slot in a
    /// spring-forward gap fires once at the end of the gap; a slot in a fall-back overlap fires once, at
    /// its first occurrence.
    ///
    /// Europe/Berlin 2025: 30 March 01:00Z (02:00 CET → 03:00 CEST); 26 October 01:00Z (03:00 CEST → 02:00 CET).
    /// America/New_York 2025: 9 March 07:00Z (02:00 EST → 03:00 EDT); 2 November 06:00Z (02:00 EDT → 01:00 EST).
    @Suite struct CronDaylightSavingTests {
        static let table: [CronCase] = [
            // Berlin, spring forward: 02:00-02:59 does not exist.
            CronCase(
                "30 2 * * *", zone: "Europe/Berlin", "2025-03-29T00:00:00Z",
                ["2025-03-29T01:30:00Z", "2025-03-30T01:00:00Z", "2025-03-31T00:30:00Z"]),
            CronCase(
                "*/15 * * * *", zone: "Europe/Berlin", "2025-03-30T00:30:00Z",
                ["2025-03-30T00:45:00Z", "2025-03-30T01:00:00Z", "2025-03-30T01:15:00Z"]),
            CronCase(
                "0 * * * *", zone: "Europe/Berlin", "2025-03-29T23:30:00Z",
                ["2025-03-30T00:00:00Z", "2025-03-30T01:00:00Z", "2025-03-30T02:00:00Z"]),
            // Berlin, fall back: 02:00-02:59 happens twice; only the first (CEST) fires.
            CronCase(
                "30 2 * * *", zone: "Europe/Berlin", "2025-10-25T00:00:00Z",
                ["2025-10-25T00:30:00Z", "2025-10-26T00:30:00Z", "2025-10-27T01:30:00Z"]),
            CronCase(
                "*/15 * * * *", zone: "Europe/Berlin", "2025-10-26T00:30:00Z",
                ["2025-10-26T00:45:00Z", "2025-10-26T02:00:00Z", "2025-10-26T02:15:00Z"]),
            CronCase(
                "0 * * * *", zone: "Europe/Berlin", "2025-10-25T23:30:00Z",
                ["2025-10-26T00:00:00Z", "2025-10-26T02:00:00Z", "2025-10-26T03:00:00Z"]),
            // Started inside the repeated hour: its slots already fired at their first occurrence.
            CronCase("*/15 * * * *", zone: "Europe/Berlin", "2025-10-26T01:10:00Z", ["2025-10-26T02:00:00Z"]),
            // New York, spring forward: 02:00-02:59 does not exist.
            CronCase(
                "30 2 * * *", zone: "America/New_York", "2025-03-08T00:00:00Z",
                ["2025-03-08T07:30:00Z", "2025-03-09T07:00:00Z", "2025-03-10T06:30:00Z"]),
            CronCase(
                "*/15 * * * *", zone: "America/New_York", "2025-03-09T06:30:00Z",
                ["2025-03-09T06:45:00Z", "2025-03-09T07:00:00Z", "2025-03-09T07:15:00Z"]),
            CronCase(
                "0 * * * *", zone: "America/New_York", "2025-03-09T05:30:00Z",
                ["2025-03-09T06:00:00Z", "2025-03-09T07:00:00Z", "2025-03-09T08:00:00Z"]),
            // New York, fall back: 01:00-01:59 happens twice; 02:30 is unaffected.
            CronCase(
                "30 2 * * *", zone: "America/New_York", "2025-11-01T00:00:00Z",
                ["2025-11-01T06:30:00Z", "2025-11-02T07:30:00Z", "2025-11-03T07:30:00Z"]),
            CronCase(
                "30 1 * * *", zone: "America/New_York", "2025-11-01T00:00:00Z",
                ["2025-11-01T05:30:00Z", "2025-11-02T05:30:00Z", "2025-11-03T06:30:00Z"]),
            CronCase(
                "*/15 * * * *", zone: "America/New_York", "2025-11-02T05:30:00Z",
                ["2025-11-02T05:45:00Z", "2025-11-02T07:00:00Z", "2025-11-02T07:15:00Z"]),
            CronCase(
                "0 * * * *", zone: "America/New_York", "2025-11-02T04:30:00Z",
                ["2025-11-02T05:00:00Z", "2025-11-02T07:00:00Z", "2025-11-02T08:00:00Z"]),
            CronCase("*/15 * * * *", zone: "America/New_York", "2025-11-02T06:10:00Z", ["2025-11-02T07:00:00Z"]),
        ]

        @Test(arguments: table)
        func transitions(_ row: CronCase) throws {
            #expect(try fires(row.expression, zone: row.zone, after: row.start, count: row.expected.count) == row.expected)
        }

        /// Over each transition day, every wall-clock label that a brute-force scan of real minutes sees
        /// fires exactly once, and a missing label fires at the end of the gap.
        @Test(arguments: [
            ("Europe/Berlin", "2025-03-29T12:00:00Z", 143), ("Europe/Berlin", "2025-10-25T12:00:00Z", 139),
            ("America/New_York", "2025-03-08T12:00:00Z", 143), ("America/New_York", "2025-11-01T12:00:00Z", 139),
        ])
        func everyQuarterHourFiresOncePerWallClockLabel(zone: String, start: String, expectedCount: Int) throws {
            let timeZone = TimeZone(identifier: zone)!
            let cron = try CronExpression("*/15 * * * *")
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            var labels: [String] = []
            var cursor = utc(start)
            let end = cursor.addingTimeInterval(36 * 3600)
            let scheduleZone = try ScheduleTimeZone(zone)
            while let next = cron.next(after: cursor, in: scheduleZone), next < end {
                #expect(next > cursor)
                let parts = calendar.dateComponents([.day, .hour, .minute], from: next)
                labels.append("\(parts.day!) \(parts.hour!):\(parts.minute!)")
                cursor = next
            }
            #expect(Set(labels).count == labels.count, "no wall-clock label fires twice: \(labels)")
            // The open 36-hour window holds 143 quarter-hour instants. Spring forward: each has its own
            // label, and the 03:00 instant also covers the 4 gap labels. Fall back: the 4 instants of the
            // repeated hour fire nothing.
            #expect(labels.count == expectedCount)
        }
    }
}
