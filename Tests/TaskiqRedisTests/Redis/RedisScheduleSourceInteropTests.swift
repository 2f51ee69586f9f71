import Foundation
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqRedis

/// Schedules shared with Python taskiq-redis `ListRedisScheduleSource(url, serializer=JSONSerializer())`
/// through `Peers/redis_schedule_peer.py`. Without the peer the tests are skipped, except under CI.
@Suite(.enabled(if: RedisServer.shouldRun && RedisResultPeer.shouldRun, "\(RedisResultPeer.skipMessage)"))
struct RedisScheduleSourceInteropTests {
    static func pythonSchedules(_ url: String) async throws -> [JSONObject] {
        let peer = try PythonPeer(script: "redis_schedule_peer.py", ["list", url])
        let count = try #require(Int(try await peer.line(startingWith: "count ").dropFirst("count ".count)))
        let lines = count == 0 ? [] : try await peer.lines(startingWith: "schedule ", count: count)
        #expect(try await peer.waitForExit() == 0, "\(peer.stderr)")
        return try lines.map { try #require(try JSONValue(parsing: String($0.dropFirst("schedule ".count))).objectValue) }
    }

    @Test func swiftReadsAndRemovesSchedulesPythonAdded() async throws {
        guard RedisResultPeer.requirePeer() else { return }
        try await RedisServer.with { server in
            let peer = try PythonPeer(script: "redis_schedule_peer.py", ["add", server.url])
            _ = try await peer.line(startingWith: "added")
            #expect(try await peer.waitForExit() == 0, "\(peer.stderr)")
            let source = try RedisScheduleSource(url: server.url)
            let schedules = try await source.schedules()
            #expect(schedules.map(\.scheduleID) == ["py-cron", "py-interval", "py-once"])
            #expect(schedules[0].trigger == .cron(try CronExpression("*/5 * * * *"), timeZone: try ScheduleTimeZone("Europe/Berlin")))
            #expect(schedules[0].labels == ["origin": "python"] && schedules[0].args == [1])
            #expect(schedules[1].trigger == .interval(seconds: 120) && schedules[1].kwargs == ["n": 2])
            #expect(schedules[2].trigger == .once(utc("2020-01-01T12:30:00Z")) && schedules[2].taskID == "fixed")
            try await source.remove(scheduleID: "py-once")
            try await source.remove(scheduleID: "py-cron")
            #expect(try await Self.pythonSchedules(server.url).map { $0["schedule_id"] } == ["py-interval"])
        }
    }

    @Test func pythonReadsAndDeletesSchedulesSwiftAdded() async throws {
        guard RedisResultPeer.requirePeer() else { return }
        try await RedisServer.with { server in
            let source = try RedisScheduleSource(url: server.url)
            let added = [
                try Schedule(
                    task: "sw.cron", trigger: .cron("0 9 * * MON", timeZone: "Europe/Berlin"), args: ["weekly"],
                    labels: ["priority": 2], scheduleID: "sw-cron"),
                Schedule(task: "sw.interval", trigger: .interval(seconds: 30), kwargs: ["feed": "a"], scheduleID: "sw-interval"),
                Schedule(task: "sw.once", trigger: .once(utc("2021-06-01T08:00:00Z")), taskID: "fixed", scheduleID: "sw-once"),
            ]
            for schedule in added { try await source.add(schedule) }
            let read = try await Self.pythonSchedules(server.url)
            #expect(read.map { $0["schedule_id"] } == ["sw-cron", "sw-interval", "sw-once"])
            // Python's model_dump(mode="json") of what it parsed is what Swift wrote, up to its own forms.
            #expect(read[0] == added[0].taskiqJSON)
            #expect(read[1]["interval"] == 30 && read[1]["kwargs"] == ["feed": "a"])
            #expect(read[2]["time"] == "2021-06-01T08:00:00Z" && read[2]["task_id"] == "fixed")
            let delete = try PythonPeer(script: "redis_schedule_peer.py", ["delete", server.url, "sw-once"])
            _ = try await delete.line(startingWith: "deleted")
            #expect(try await delete.waitForExit() == 0, "\(delete.stderr)")
            #expect(try await source.schedules().map(\.scheduleID) == ["sw-cron", "sw-interval"])
        }
    }
}
