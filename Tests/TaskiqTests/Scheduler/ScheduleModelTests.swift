import Foundation
import TaskiqTestSupport
import Testing

@testable import Taskiq

extension SchedulerTests {
    @Suite struct ScheduleModelTests {
        static func parse(_ json: String) throws -> JSONObject {
            try #require(try JSONParser().parse(Array(json.utf8)).objectValue)
        }

        @Test func readsAndWritesPythonsScheduledTaskJSON() throws {
            let cron = try Schedule(
                taskiqJSON: Self.parse(
                    """
                    {"task_name":"t","labels":{},"args":[],"kwargs":{},"task_id":null,"schedule_id":"47e1","cron":"0 * * * *","cron_offset":"PT2H","time":null,"interval":"PT2M"}
                    """.replacingOccurrences(of: #","interval":"PT2M""#, with: #","interval":null"#)))
            #expect(cron.scheduleID == "47e1")
            #expect(cron.trigger == (try Schedule.Trigger.cron("0 * * * *", timeZone: "PT2H")))
            let once = try Schedule(
                taskiqJSON: Self.parse(
                    """
                    {"task_name":"t","labels":{},"args":[],"kwargs":{},"task_id":null,"schedule_id":"4510","cron":null,"cron_offset":null,"time":"2030-01-01T00:00:00Z","interval":null}
                    """))
            #expect(once.trigger == .once(utc("2030-01-01T00:00:00Z")))
            let written = String(decoding: JSONWriter(style: .compact).serialize(.object(once.taskiqJSON)), as: UTF8.self)
            #expect(
                written
                    == #"{"task_name":"t","labels":{},"args":[],"kwargs":{},"task_id":null,"schedule_id":"4510","cron":null,"cron_offset":null,"time":"2030-01-01T00:00:00Z","interval":null}"#
            )
            let interval = try Schedule(taskiqJSON: Self.parse(#"{"task_name":"t","interval":"PT2M"}"#))
            #expect(interval.trigger == .interval(seconds: 120))
            #expect(try Schedule(taskiqJSON: interval.taskiqJSON) == interval, "round trip")
        }

        static let invalid: [(String, ScheduleError.Code, String?, String)] = [
            (#"{"task_name":"t"}"#, .trigger, nil, "a schedule needs exactly one of 'cron', 'interval' and 'time'; found none"),
            (
                #"{"task_name":"t","cron":"* * * * *","interval":5}"#, .trigger, "interval",
                "a schedule needs exactly one of 'cron', 'interval' and 'time'; found cron and interval"
            ),
            (
                #"{"task_name":"t","interval":0}"#, .invalidInterval, "interval",
                "expected whole seconds of at least 1 (a number or an ISO-8601 duration such as 'PT2M'), found 0"
            ),
            (
                #"{"task_name":"t","interval":1.5}"#, .invalidInterval, "interval",
                "expected whole seconds of at least 1 (a number or an ISO-8601 duration such as 'PT2M'), found 1.5"
            ),
            (
                #"{"task_name":"t","cron":"0 25 * * *"}"#, .invalidCron, "cron",
                "invalid cron expression '0 25 * * *': field 'hour': value 25 is out of range 0-23"
            ),
            (
                #"{"task_name":"t","cron":"0 * * * *","cron_offset":"Europe/Berln"}"#, .invalidTimeZone, "cron_offset",
                "'Europe/Berln' is not a time zone (expected an IANA name such as 'Europe/Berlin', an offset such as '+02:00', or an ISO-8601 duration such as 'PT2H')"
            ),
            (
                #"{"task_name":"t","time":"tomorrow"}"#, .invalidTime, "time",
                "'tomorrow' is not an ISO-8601 date-time such as '2030-01-01T00:00:00Z'"
            ),
            (#"{"task_name":"t","interval":5,"args":{}}"#, .invalidValue, "args", "expected an array, found object"),
            (#"{"cron":"* * * * *"}"#, .invalidValue, "task_name", "a schedule needs the name of the task to send"),
        ]

        @Test(arguments: invalid)
        func invalidSchedulesNameTheKey(_ row: (String, ScheduleError.Code, String?, String)) throws {
            let object = try Self.parse(row.0)
            #expect {
                try Schedule(taskiqJSON: object)
            } throws: { error in
                guard let error = error as? ScheduleError else { return false }
                #expect(error.code == row.1)
                #expect(error.key == row.2)
                #expect(error.message == row.3)
                return true
            }
        }

        @Test(
            arguments: [
                ("Europe/Berlin", 7200), ("America/New_York", -14_400), ("UTC", 0), ("Z", 0), ("+02:00", 7200), ("-0530", -19_800),
                ("+02", 7200), ("PT2H", 7200), ("-PT5H30M", -19_800), ("PT-5H", -18_000), ("P0D", 0),
                ("PT90M", 5400),
            ] as [(String, Int)])
        func timeZones(text: String, seconds: Int) throws {
            let zone = try ScheduleTimeZone(text)
            #expect(zone.utcOffset(at: utc("2025-07-01T00:00:00Z")) == seconds)
            #expect(zone.source == text)
        }

        @Test(arguments: [
            "", "Mars/Olympus", "../../../etc/passwd", "/etc/passwd", "Europe/./Berlin", "Europe//Berlin", "+25:00", "+2:00", "PT", "P1DT",
            "PT1.5S", "P2D",
        ])
        func invalidTimeZones(text: String) {
            #expect(throws: ScheduleError.self) { try ScheduleTimeZone(text) }
        }

        @Test func scheduleIDsAreStableAndFollowTheContent() throws {
            let a = Schedule(task: "t", trigger: try .cron("*/5 * * * *"), args: [1], labels: ["x": 1, "y": 2])
            let b = Schedule(task: "t", trigger: try .cron("*/5 * * * *"), args: [1], labels: ["y": 2, "x": 1])
            let c = Schedule(task: "t", trigger: try .cron("*/5 * * * *"), args: [2], labels: ["x": 1, "y": 2])
            #expect(a.scheduleID == b.scheduleID, "label order does not matter")
            #expect(a.scheduleID != c.scheduleID)
            #expect(a.scheduleID.count == 32 && a.scheduleID.allSatisfy(\.isHexDigit))
            // Pinned: the derivation must not change between releases, or upgrades would re-fire slots.
            #expect(Schedule(task: "t", trigger: .interval(seconds: 30)).scheduleID == Self.pinnedIntervalID)
        }

        static let pinnedIntervalID = "49e69a8dd7e295ef586369c1f51e08f5"

        @Test func catchUpPolicyNames() {
            #expect(CatchUpPolicy(name: "skip") == .skip)
            #expect(CatchUpPolicy(name: "run_once") == .runOnce)
            #expect(CatchUpPolicy(name: "always") == nil)
        }
    }
}
