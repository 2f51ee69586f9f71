import Foundation
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqNATS

/// Schedules in a NATS key-value bucket, shared with Python taskiq-nats
/// `NATSKeyValueScheduleSource(url, serializer=JSONSerializer())` through `Peers/nats_schedule_peer.py`.
@Suite(.enabled(if: PythonPeer.shouldRunTaskiqNATS, PythonPeer.taskiqNATSSkipMessage))
struct NATSKeyValueScheduleSourceTests {
    static func pythonSchedules(_ url: String) async throws -> [JSONObject] {
        let peer = try PythonPeer(script: "nats_schedule_peer.py", ["list", url])
        let count = try #require(Int(try await peer.line(startingWith: "count ").dropFirst("count ".count)))
        let lines = count == 0 ? [] : try await peer.lines(startingWith: "schedule ", count: count)
        #expect(try await peer.waitForExit() == 0, "\(peer.stderr)")
        return try lines.map { try #require(try JSONValue(parsing: String($0.dropFirst("schedule ".count))).objectValue) }
    }

    @Test func swiftReadsAndRemovesSchedulesPythonAdded() async throws {
        try await withTimeout(seconds: 90) {
            try await NATSServer.with { server in
                let peer = try PythonPeer(script: "nats_schedule_peer.py", ["add", server.url])
                _ = try await peer.line(startingWith: "added")
                #expect(try await peer.waitForExit() == 0, "\(peer.stderr)")
                let source = try NATSKeyValueScheduleSource(url: server.url)
                try await source.startup()
                let schedules = try await source.schedules()
                #expect(schedules.map(\.scheduleID) == ["py-cron", "py-interval", "py-once"])
                #expect(
                    schedules.first?.trigger == .cron(try CronExpression("*/5 * * * *"), timeZone: try ScheduleTimeZone("Europe/Berlin")))
                #expect(schedules.first?.labels == ["origin": "python"])
                #expect(schedules.last?.taskID == "fixed")
                // A sent one-off is deleted, as taskiq-nats does; removal is a DEL marker Python honours.
                try await source.postSend(try #require(schedules.last))
                try await source.remove(scheduleID: "py-cron")
                #expect(try await source.schedules().map(\.scheduleID) == ["py-interval"])
                #expect(try await Self.pythonSchedules(server.url).map { $0["schedule_id"] } == ["py-interval"])
                try await source.shutdown()
            }
        }
    }

    @Test func pythonReadsAndDeletesSchedulesSwiftAdded() async throws {
        try await withTimeout(seconds: 90) {
            try await NATSServer.with { server in
                let source = try NATSKeyValueScheduleSource(url: server.url)
                try await source.startup()
                let added = [
                    try Schedule(
                        task: "sw.cron", trigger: .cron("0 9 * * MON", timeZone: "Europe/Berlin"), args: ["weekly"],
                        labels: ["priority": 2], scheduleID: "sw-cron"),
                    Schedule(task: "sw.interval", trigger: .interval(seconds: 30), kwargs: ["feed": "é ✓"], scheduleID: "sw-interval"),
                    Schedule(task: "sw.once", trigger: .once(utc("2021-06-01T08:00:00Z")), taskID: "fixed", scheduleID: "sw-once"),
                ]
                for schedule in added { try await source.add(schedule) }
                // Replacing keeps one entry per ID.
                try await source.add(added[1])
                let read = try await Self.pythonSchedules(server.url)
                #expect(Set(read.compactMap { $0["schedule_id"]?.stringValue }) == ["sw-cron", "sw-interval", "sw-once"])
                #expect(read.first { $0["schedule_id"] == "sw-cron" } == added[0].taskiqJSON)
                #expect(read.first { $0["schedule_id"] == "sw-interval" }?["kwargs"] == ["feed": "é ✓"])
                let delete = try PythonPeer(script: "nats_schedule_peer.py", ["delete", server.url, "sw-once"])
                _ = try await delete.line(startingWith: "deleted")
                #expect(try await delete.waitForExit() == 0, "\(delete.stderr)")
                #expect(Set(try await source.schedules().map(\.scheduleID)) == ["sw-cron", "sw-interval"])
                try await source.shutdown()
            }
        }
    }

    @Test func aPickledOrBrokenEntryIsSkippedNotFatal() async throws {
        try await withTimeout(seconds: 60) {
            try await NATSServer.with { server in
                let source = try NATSKeyValueScheduleSource(url: server.url)
                try await source.startup()
                try await source.bucket.put("schedule.pickled", [0x80, 0x04, 0x95])
                try await source.bucket.put("schedule.garbage", Array("{not json".utf8))
                try await source.add(Schedule(task: "ok", trigger: .interval(seconds: 5), scheduleID: "ok"))
                #expect(try await source.schedules().map(\.scheduleID) == ["ok"])
                try await source.shutdown()
            }
        }
    }
}
