import Foundation
import Taskiq
import TaskiqRedis
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig

#if canImport(Glibc)
import Glibc
#endif

/// Two `taskiq-run scheduler` processes sharing a Redis lease and state store: one sends, the other
/// stands by, and when the sender is killed with SIGKILL the standby takes over without sending a
/// slot twice.
@Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage), .serialized)
struct RedisSchedulerProcessTests {
    /// The slots of the `sent ...` lines, as logged (`slot 2026-01-01T00:00:00.000000Z`).
    static func slots(_ lines: [String]) -> [String] {
        lines.filter { $0.contains("sent examples.heartbeat (schedule beat, slot ") }.compactMap { line in
            guard let start = line.range(of: ", slot ") else { return nil }
            return String(line[start.upperBound...].prefix { $0 != ")" })
        }
    }

    /// `2026-01-01T00:00:00.250000Z` as seconds since 1970.
    static func seconds(_ slot: String) -> Double? {
        let parts = slot.dropLast().split(separator: ".")
        guard slot.hasSuffix("Z"), parts.count == 2, let fraction = Double("0.\(parts[1])"),
            let whole = ISO8601DateFormatter().date(from: "\(parts[0])Z")
        else { return nil }
        return whole.timeIntervalSince1970 + fraction
    }

    @Test func aKilledSchedulersStandbyTakesOverWithoutResendingASlot() async throws {
        try await RedisServer.with { server in
            let directory = try TemporaryConfigDirectory(files: [
                "scheduler.json": """
                {"broker": {"type": "redis_stream", "url": "\(server.url)"},
                 "result_backend": {"type": "redis", "url": "\(server.url)"},
                 "tasks": {"modules": ["examples"]},
                 "schedules": [{"task": "examples.heartbeat", "interval": 1, "schedule_id": "beat"}],
                 "scheduler": {"lease": {"type": "redis", "url": "\(server.url)", "ttl": 2, "renew_interval": 0.25},
                               "state_store": {"type": "redis", "url": "\(server.url)"}}}
                """
            ])
            let file = directory.path("scheduler.json")
            let environment = ["TASKIQ_LOG_LEVEL": "info"]
            let first = try RunningProcess(["scheduler", "-c", file], environment: environment)
            let ready = try await first.waitForLine(containing: "scheduler ready")
            #expect(ready.contains("and those added at run time to the Redis schedule source"))
            _ = try await first.waitFor("the first scheduler's first send") { Self.slots($0).isEmpty ? nil : true }
            let firstPID = try #require(loggedPID(ready))

            let second = try RunningProcess(["scheduler", "-c", file], environment: environment)
            try await second.waitForLine(containing: "scheduler ready")
            _ = try await first.waitFor("three more sends") { Self.slots($0).count >= 4 ? true : nil }
            let client = RedisClient(configuration: try RedisConfiguration(url: server.url))
            defer { client.close() }
            let holder = try #require(try await client.send(["GET", RedisSchedulerLease.defaultKey]).string)
            #expect(holder.contains("pid \(firstPID) "), "the first scheduler holds the lease: \(holder)")
            #expect(Self.slots(second.lines).isEmpty, "the standby sends nothing while the holder lives")

            first.signal(SIGKILL)
            _ = try await first.waitForExit()
            let sentByFirst = Self.slots(first.lines)
            _ = try await second.waitFor("three sends after the take-over", seconds: 30) { Self.slots($0).count >= 3 ? true : nil }
            second.signal(SIGTERM)
            #expect(try await second.waitForExit() == 0, "\(second.lines.joined(separator: "\n"))")
            let sentBySecond = Self.slots(second.lines)
            #expect(second.lines.contains { $0.contains("holding the scheduler lease") })

            let all = sentByFirst + sentBySecond
            if let last = sentByFirst.last.flatMap(Self.seconds), let next = sentBySecond.first.flatMap(Self.seconds) {
                print(
                    "SIGKILL after \(sentByFirst.count) sends; the standby sent \(sentBySecond.count), "
                        + "the first \(next - last) s after the last slot of the killed scheduler")
            }
            #expect(Set(all).count == all.count, "no slot sent twice: \(all)")
            let times = try all.map { try #require(Self.seconds($0)) }
            #expect(times == times.sorted(), "the standby continues after the last slot sent: \(all)")
            let gaps = zip(times, times.dropFirst()).map { $1 - $0 }
            #expect(
                gaps.allSatisfy { ($0 - $0.rounded()).magnitude < 0.002 && $0 >= 0.999 },
                "every slot on the one-second grid of the first send: \(all)")
            // The killed scheduler may have claimed one slot and died before sending it (at most once).
            let entries = try await client.send(["XLEN", "taskiq"]).int ?? -1
            #expect(entries >= all.count && entries <= all.count + 1, "\(entries) messages for \(all.count) logged sends")
        }
    }
}
