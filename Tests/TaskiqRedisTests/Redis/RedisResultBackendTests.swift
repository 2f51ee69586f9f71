import Foundation
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqRedis

@Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage))
struct RedisResultBackendTests {
    static let success = TaskiqResult<JSONValue>(isErr: false, returnValue: 3, executionTime: 0, labels: ["mylabel": 1])
    static let failure = TaskiqResult<JSONValue>(
        isErr: true, returnValue: nil, executionTime: 0,
        error: TaskError(name: "ValueError", arguments: ["bad value", 7], module: "builtins"))
    /// taskiq-python.md §2.2, as taskiq-redis stores them with JSONSerializer.
    static let successBytes =
        #"{"is_err": false, "log": null, "return_value": 3, "execution_time": 0.0, "labels": {"mylabel": 1}, "error": null}"#
    static let failureBytes =
        #"{"is_err": true, "log": null, "return_value": null, "execution_time": 0.0, "labels": {}, "error": {"exc_type": "ValueError", "exc_message": ["bad value", 7], "exc_module": "builtins", "exc_cause": null, "exc_context": null, "exc_suppress_context": false}}"#

    static func configuration(_ server: RedisServer) throws -> RedisConfiguration {
        var configuration = try RedisConfiguration(url: server.url)
        configuration.reconnect = RedisReconnectPolicy(
            initialDelay: .milliseconds(20), maximumDelay: .milliseconds(200),
            attemptsPerCommand: 5)
        return configuration
    }

    static func backend(
        _ server: RedisServer, prefix: String? = nil, expiry: RedisResultBackend.Expiry? = nil,
        keepResults: Bool = true, pollInterval: ClosedRange<Duration> = .milliseconds(1) ... .milliseconds(50),
        onSubscribe: (@Sendable () -> Void)? = nil
    ) throws -> RedisResultBackend {
        try RedisResultBackend(
            configuration: configuration(server), prefix: prefix, expiry: expiry, keepResults: keepResults,
            pollInterval: pollInterval, onSubscribe: onSubscribe)
    }

    /// A waiter that only a notification can wake: its polls are a minute apart.
    static let notificationsOnly: ClosedRange<Duration> = .seconds(60) ... .seconds(60)

    static func text(_ reply: RESPValue) -> String? { reply.bytes.map { String(decoding: $0, as: UTF8.self) } }

    @Test func storesTheBytesTaskiqRedisWritesWithJSONSerializer() async throws {
        try await RedisServer.with { server in
            let backend = try Self.backend(server)
            let redis = RedisClient(configuration: try Self.configuration(server))
            defer { redis.close() }
            try await backend.setResult(Self.success, for: "ok1")
            try await backend.setResult(Self.failure, for: "err1")
            #expect(Self.text(try await redis.send(["GET", "ok1"])) == Self.successBytes)
            #expect(Self.text(try await redis.send(["GET", "err1"])) == Self.failureBytes)
            #expect(try await redis.send(["TTL", "ok1"]) == .integer(-1), "no expiry unless asked")

            let read = try await backend.getResult("ok1", withLogs: false)
            #expect(read.returnValue == 3 && read.labels == ["mylabel": 1] && !read.isErr)
            let error = try #require(try await backend.getResult("err1", withLogs: false).error)
            #expect(error.name == "ValueError" && error.module == "builtins" && error.arguments == ["bad value", 7])
            #expect(try await backend.isResultReady("ok1"))
            #expect(try await !backend.isResultReady("nope"))
            try await backend.shutdown()
        }
    }

    @Test func concurrentResultsAreStoredInSharedWritesAndARefusedOneFailsOnlyItsCaller() async throws {
        try await RedisServer.with { server in
            let redis = try await RedisConnection.connect(try Self.configuration(server))
            defer { redis.close() }
            // This user may write only keys under "ok:": a result for "no:..." is refused (NOPERM).
            try await redis.send(["ACL", "SETUSER", "results", "on", ">pw", "~ok:*", "&*", "+@all"])
            let backend = try RedisResultBackend(url: "redis://results:pw@127.0.0.1:\(server.port)")
            try await backend.setResult(Self.success, for: "ok:first")  // connects
            let before = try await RESP.RedisConnectionTests.readsProcessed(redis)
            let barrier = AsyncBarrier(count: 200)
            let outcomes = await withTaskGroup(of: (String, (any Error)?).self) { group in
                for index in 0..<200 {
                    let taskID = index % 10 == 3 ? "no:\(index)" : "ok:\(index)"
                    group.addTask {
                        await barrier.arrive()
                        do {
                            try await backend.setResult(Self.success, for: taskID)
                            return (taskID, nil)
                        } catch { return (taskID, error) }
                    }
                }
                return await group.reduce(into: [:]) { $0.updateValue($1.1, forKey: $1.0) }
            }
            // Before the checks below, whose GETs are reads too.
            let reads = try await RESP.RedisConnectionTests.readsProcessed(redis) - before
            #expect(reads <= 40, "200 concurrent results arrived in \(reads) reads")
            #expect(outcomes.count == 200)
            for (taskID, error) in outcomes.sorted(by: { $0.key < $1.key }) {
                let stored = Self.text(try await redis.send(["GET", taskID]))
                if taskID.hasPrefix("ok:") {
                    #expect(error == nil, "\(taskID): \(String(describing: error))")
                    #expect(stored == Self.successBytes, "\(taskID)")
                } else {
                    let refused = (error as? TaskiqError)?.underlying as? RedisError
                    #expect(refused?.code == "NOPERM", "\(taskID): \(String(describing: error))")
                    #expect(stored == nil)
                }
            }
            try await backend.shutdown()
        }
    }

    @Test func shutdownWhileResultsAreWrittenLeavesNoCallerWaitingAndEverySuccessStored() async throws {
        try await RedisServer.with { server in
            let redis = try await RedisConnection.connect(try Self.configuration(server))
            defer { redis.close() }
            let backend = try Self.backend(server)
            try await backend.setResult(Self.success, for: "first")  // connects
            let barrier = AsyncBarrier(count: 201)
            let outcomes = await withTaskGroup(of: (String, (any Error)?).self) { group in
                for index in 0..<200 {
                    group.addTask {
                        await barrier.arrive()
                        do {
                            try await backend.setResult(Self.success, for: "t\(index)")
                            return ("t\(index)", nil)
                        } catch { return ("t\(index)", error) }
                    }
                }
                group.addTask {
                    await barrier.arrive()
                    try? await backend.shutdown()
                    return ("shutdown", nil)
                }
                return await group.reduce(into: [:]) { $0.updateValue($1.1, forKey: $1.0) }
            }
            #expect(outcomes.count == 201, "every caller returned")
            for index in 0..<200 {
                let taskID = "t\(index)"
                let stored = Self.text(try await redis.send(["GET", taskID]))
                if let error = outcomes[taskID] ?? nil {
                    let code = (error as? TaskiqError)?.code
                    #expect(code == .shutDown || code == .resultBackend, "\(taskID): \(error)")
                } else {
                    #expect(stored == Self.successBytes, "\(taskID) was reported stored")
                }
            }
        }
    }

    @Test func appliesTheExpiryToResultsAndProgress() async throws {
        try await RedisServer.with { server in
            let redis = RedisClient(configuration: try Self.configuration(server))
            defer { redis.close() }
            let seconds = try Self.backend(server, expiry: .seconds(600))
            try await seconds.setResult(Self.success, for: "ex")
            try await seconds.setProgress(TaskProgress(state: "STARTED"), for: "ex")
            #expect((590...600).contains(try await redis.send(["TTL", "ex"]).int ?? 0))
            #expect((590...600).contains(try await redis.send(["TTL", "ex__progress"]).int ?? 0))

            let milliseconds = try Self.backend(server, expiry: .milliseconds(60_000))
            try await milliseconds.setResult(Self.success, for: "px")
            try await milliseconds.setProgress(TaskProgress(state: "STARTED"), for: "px")
            #expect((50_000...60_000).contains(try await redis.send(["PTTL", "px"]).int ?? 0))
            #expect((50_000...60_000).contains(try await redis.send(["PTTL", "px__progress"]).int ?? 0))
        }
    }

    @Test(arguments: [RedisResultBackend.Expiry.seconds(0), .milliseconds(-5)])
    func refusesAnExpiryThatIsNotPositive(_ expiry: RedisResultBackend.Expiry) throws {
        let error = #expect(throws: TaskiqError.self) { try RedisResultBackend(expiry: expiry) }
        #expect(error?.message.contains("must be more than zero") == true)
    }

    @Test func deletesOnReadWhenResultsAreNotKept() async throws {
        try await RedisServer.with { server in
            let backend = try Self.backend(server, keepResults: false)
            try await backend.setResult(Self.success, for: "once")
            try await backend.setProgress(TaskProgress(state: "SUCCESS"), for: "once")
            #expect(try await backend.getResult("once", withLogs: false).returnValue == 3)
            #expect(try await !backend.isResultReady("once"))
            let error = await #expect(throws: TaskiqError.self) { try await backend.getResult("once", withLogs: false) }
            #expect(error?.code == .resultMissing)
            #expect(error?.message.contains("no result is stored for task once") == true)
            #expect(try await backend.getProgress("once")?.state == "SUCCESS", "progress is not deleted, as in taskiq-redis")
        }
    }

    @Test func progressRoundTripsAndKeepsMetaWhenNoneIsGiven() async throws {
        try await RedisServer.with { server in
            let backend = try Self.backend(server)
            let redis = RedisClient(configuration: try Self.configuration(server))
            defer { redis.close() }
            #expect(try await backend.getProgress("p") == nil)
            try await backend.setProgress(TaskProgress(state: "STARTED", meta: ["pct": 50]), for: "p")
            #expect(Self.text(try await redis.send(["GET", "p__progress"])) == #"{"state": "STARTED", "meta": {"pct": 50}}"#)
            try await backend.setProgress(TaskProgress(state: "RETRY"), for: "p")
            #expect(try await backend.getProgress("p") == TaskProgress(state: "RETRY", meta: ["pct": 50]))
        }
    }

    @Test func prefixesKeysAndTheChannel() async throws {
        try await RedisServer.with { server in
            let backend = try Self.backend(server, prefix: "myprefix")
            let redis = RedisClient(configuration: try Self.configuration(server))
            defer { redis.close() }
            try await backend.setResult(Self.success, for: "tid1")
            try await backend.setProgress(TaskProgress(state: "STARTED", meta: ["pct": 50]), for: "tid1")
            let keys = try await redis.send(["KEYS", "*"]).array?.compactMap(\.string).sorted()
            #expect(keys == ["myprefix:tid1", "myprefix:tid1__progress"])
            #expect(backend.channel == "myprefix:taskiq:results")
            #expect(try await backend.getResult("tid1", withLogs: false).returnValue == 3)
        }
    }

    @Test func explainsAPickledValue() async throws {
        try await RedisServer.with { server in
            let backend = try Self.backend(server)
            let redis = RedisClient(configuration: try Self.configuration(server))
            defer { redis.close() }
            // The start of pickle.dumps({...}, protocol=4), as taskiq-redis's default PickleSerializer writes it.
            try await redis.send([
                "SET", "pickled", [0x80, 0x04, 0x95, 0x6A, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7D, 0x94] as [UInt8],
            ])
            try await redis.send(["SET", "pickled__progress", [0x80, 0x05, 0x95] as [UInt8]])
            for error in [
                await #expect(throws: TaskiqError.self) { try await backend.getResult("pickled", withLogs: false) },
                await #expect(throws: TaskiqError.self) { try await backend.waitResult("pickled", timeout: .seconds(5), withLogs: false) },
                await #expect(throws: TaskiqError.self) { try await backend.getProgress("pickled") },
            ] {
                #expect(error?.code == .invalidResult)
                #expect(error?.message.contains("is a Python pickle (it starts with byte 0x80), not JSON") == true)
                #expect(error?.message.contains("RedisAsyncResultBackend(..., serializer=JSONSerializer())") == true)
            }
            try await redis.send(["SET", "garbage", "hello"])
            let error = await #expect(throws: TaskiqError.self) { try await backend.getResult("garbage", withLogs: false) }
            #expect(error?.message.contains("is not JSON") == true)
            try await redis.send(["SET", "other", #"{"state": "STARTED"}"#])
            let other = await #expect(throws: TaskiqError.self) { try await backend.getResult("other", withLogs: false) }
            #expect(
                other?.message == "the value at Redis key 'other' is not a taskiq result: invalid result: field 'is_err' must be a boolean")
        }
    }

    @Test func explainsAKeyOfAnotherType() async throws {
        try await RedisServer.with { server in
            let backend = try Self.backend(server)
            let redis = RedisClient(configuration: try Self.configuration(server))
            defer { redis.close() }
            try await redis.send(["RPUSH", "listed", "x"])
            #expect(try await backend.isResultReady("listed"))
            for error in [
                await #expect(throws: TaskiqError.self) { try await backend.getResult("listed", withLogs: false) },
                await #expect(throws: TaskiqError.self) { try await backend.waitResult("listed", timeout: .seconds(5), withLogs: false) },
            ] {
                #expect(error?.code == .invalidResult)
                #expect(error?.message.contains("Redis key 'listed' holds another type of value (not a string)") == true)
            }
        }
    }

    @Test func aSwiftWorkerWakesAWaiterWithoutPolling() async throws {
        try await RedisServer.with { server in
            let subscribed = EventStream<Void>()
            let waiting = try Self.backend(server, pollInterval: Self.notificationsOnly, onSubscribe: { subscribed.send(()) })
            let worker = try Self.backend(server)
            // Polls are a minute apart here and the waits give up after 5 s, so only the
            // notification can have woken the waiters (no wall-clock threshold to flake under load).
            for round in 0..<10 {
                let id = "fast\(round)"
                let waiter = Task { try await waiting.waitResult(id, timeout: .seconds(10), withLogs: false) }
                if round == 0 { _ = try await subscribed.first(1) }
                try await worker.setResult(Self.success, for: id)
                #expect(try await withTimeout(seconds: 30) { try await waiter.value }.returnValue == 3)
            }
        }
    }

    /// `GET` commands the server has run since its statistics were reset.
    static func getCalls(_ redis: RedisClient) async throws -> Int {
        let info = Self.text(try await redis.send(["INFO", "commandstats"])) ?? ""
        guard let line = info.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("cmdstat_get:") }),
            let calls = line.split(separator: ",").first?.split(separator: "=").last
        else { return 0 }
        return Int(calls) ?? -1
    }

    @Test(arguments: [false, true])
    func aShortResultComesWithItsAnnouncementAndALongOneIsRead(_ long: Bool) async throws {
        try await RedisServer.with { server in
            let subscribed = EventStream<Void>()
            let waiting = try Self.backend(server, pollInterval: Self.notificationsOnly, onSubscribe: { subscribed.send(()) })
            let worker = try Self.backend(server)
            let redis = RedisClient(configuration: try Self.configuration(server))
            defer { redis.close() }
            let value: JSONValue = long ? .string(String(repeating: "é", count: 400)) : "short, ünïcode"
            let result = TaskiqResult<JSONValue>(isErr: false, returnValue: value, executionTime: 0.5)
            // The subscriber is up first: its confirmation wakes every waiter for a re-check.
            let warm = Task { try await waiting.waitResult("warm", timeout: .seconds(30), withLogs: false) }
            _ = try await subscribed.first(1)
            try await worker.setResult(result, for: "warm")
            _ = try await withTimeout(seconds: 30) { try await warm.value }
            try await redis.send(["CONFIG", "RESETSTAT"])
            let waiter = Task { try await waiting.waitResult("inline", timeout: .seconds(30), withLogs: false) }
            try await eventually("the waiter looked once before waiting") { try await Self.getCalls(redis) == 1 }
            try await worker.setResult(result, for: "inline")
            let received = try await withTimeout(seconds: 30) { try await waiter.value }
            #expect(received.returnValue == value && received.executionTime == 0.5)
            // A short result came in the announcement: no second GET. A long one (800 bytes of
            // JSON) was announced by task ID alone and read from its key.
            #expect(try await Self.getCalls(redis) == (long ? 2 : 1))
            try await waiting.shutdown()
            try await worker.shutdown()
        }
    }

    @Test func anAnnouncementThatIsNoResultFallsBackToTheKey() async throws {
        try await RedisServer.with { server in
            let subscribed = EventStream<Void>()
            let waiting = try Self.backend(server, pollInterval: Self.notificationsOnly, onSubscribe: { subscribed.send(()) })
            let redis = RedisClient(configuration: try Self.configuration(server))
            defer { redis.close() }
            let waiter = Task { try await waiting.waitResult("forged", timeout: .seconds(30), withLogs: false) }
            _ = try await subscribed.first(1)
            try await redis.send(["SET", "forged", Self.successBytes])
            // Garbage after the separator, as a hostile or broken publisher might send.
            try await redis.send(["PUBLISH", "taskiq:results", Array("forged".utf8) + [0] + Array("{not json\u{1}".utf8)])
            #expect(try await withTimeout(seconds: 30) { try await waiter.value }.returnValue == 3)
            try await waiting.shutdown()
        }
    }

    @Test func resultsThatAreNotKeptAreReadAndDeletedEvenWhenAnnounced() async throws {
        try await RedisServer.with { server in
            let subscribed = EventStream<Void>()
            let waiting = try Self.backend(
                server, keepResults: false, pollInterval: Self.notificationsOnly, onSubscribe: { subscribed.send(()) })
            let worker = try Self.backend(server)
            let redis = RedisClient(configuration: try Self.configuration(server))
            defer { redis.close() }
            let waiter = Task { try await waiting.waitResult("once", timeout: .seconds(30), withLogs: false) }
            _ = try await subscribed.first(1)
            try await worker.setResult(Self.success, for: "once")
            #expect(try await withTimeout(seconds: 30) { try await waiter.value }.returnValue == 3)
            #expect(try await redis.send(["EXISTS", "once"]).int == 0, "GETDEL read it")
            try await waiting.shutdown()
            try await worker.shutdown()
        }
    }

    @Test func cancellingAWaiterEndsItsWaitAtOnce() async throws {
        try await RedisServer.with { server in
            let subscribed = EventStream<Void>()
            // Polls a minute apart: only the cancellation can end these waits within the test's 30 s.
            let waiting = try Self.backend(server, pollInterval: Self.notificationsOnly, onSubscribe: { subscribed.send(()) })
            for round in 0..<5 {
                let waiter = Task { try await waiting.waitResult("never\(round)", timeout: .seconds(120), withLogs: false) }
                if round == 0 { _ = try await subscribed.first(1) }
                waiter.cancel()
                let outcome = try await withTimeout(seconds: 30) { await waiter.result }
                #expect(throws: CancellationError.self) { try outcome.get() }
            }
            try await waiting.shutdown()
        }
    }

    @Test func manyWaitersShareOneSubscriberConnection() async throws {
        try await RedisServer.with { server in
            let subscribed = EventStream<Void>()
            let backend = try Self.backend(server, onSubscribe: { subscribed.send(()) })
            let redis = RedisClient(configuration: try Self.configuration(server))
            defer { redis.close() }
            try await withThrowingTaskGroup(of: JSONValue?.self) { group in
                for index in 0..<50 {
                    group.addTask { try await backend.waitResult("many\(index)", timeout: .seconds(60), withLogs: false).returnValue }
                }
                _ = try await subscribed.first(1)
                let numsub = try await redis.send(["PUBSUB", "NUMSUB", "taskiq:results"]).array
                #expect(numsub?.last?.int == 1)
                // Concurrent stores share the backend's pipelined connection.
                try await withThrowingTaskGroup(of: Void.self) { writers in
                    for index in 0..<50 { writers.addTask { try await backend.setResult(Self.success, for: "many\(index)") } }
                    try await writers.waitForAll()
                }
                var count = 0
                for try await value in group where value == 3 { count += 1 }
                #expect(count == 50)
            }
        }
    }

    @Test func aWaiterSeesAValueStoredWithoutAnnouncement() async throws {
        try await RedisServer.with { server in
            let subscribed = EventStream<Void>()
            let backend = try Self.backend(server, onSubscribe: { subscribed.send(()) })
            let redis = RedisClient(configuration: try Self.configuration(server))
            defer { redis.close() }
            let waiter = Task { try await backend.waitResult("plain", timeout: .seconds(60), withLogs: false) }
            _ = try await subscribed.first(1)
            // As a Python worker does: SET only, no PUBLISH.
            try await redis.send(["SET", "plain", Self.successBytes])
            // The waiter polls (every 1-50 ms): it sees the value long before its own 60 s timeout.
            // The bound is loose on purpose: this is not a timing test, and CI machines are loaded.
            #expect(try await withTimeout(seconds: 20) { try await waiter.value }.labels == ["mylabel": 1])
        }
    }

    @Test func overRESP2WaitersFallBackToPolling() async throws {
        try await RedisServer.with { server in
            var configuration = try Self.configuration(server)
            configuration.protocolVersion = .resp2
            let backend = try RedisResultBackend(configuration: configuration)
            let waiter = Task { try await backend.waitResult("resp2", timeout: .seconds(10), withLogs: false) }
            try await backend.setResult(Self.success, for: "resp2")
            #expect(try await withTimeout(seconds: 30) { try await waiter.value }.returnValue == 3)
        }
    }

    @Test func waitingTimesOut() async throws {
        try await RedisServer.with { server in
            let backend = try Self.backend(server)
            let start = ContinuousClock.now
            let error = await #expect(throws: TaskiqError.self) {
                // The outer timeout only turns a wait that never ends into a failure; no upper
                // wall-clock bound is asserted, as that flakes on a loaded machine.
                try await withTimeout(seconds: 30) {
                    try await backend.waitResult("never", timeout: .milliseconds(150), withLogs: false)
                }
            }
            let elapsed = start.duration(to: .now)
            #expect(error?.code == .resultTimeout)
            #expect(error?.message == "no result for task never after 0.15 seconds")
            #expect(elapsed >= .milliseconds(150))
        }
    }

    @Test func shuttingDownEndsAWait() async throws {
        try await RedisServer.with { server in
            let subscribed = EventStream<Void>()
            let backend = try Self.backend(server, pollInterval: Self.notificationsOnly, onSubscribe: { subscribed.send(()) })
            let waiter = Task { try await backend.waitResult("stop", timeout: nil, withLogs: false) }
            _ = try await subscribed.first(1)
            try await backend.shutdown()
            let error = await #expect(throws: TaskiqError.self) { try await withTimeout(seconds: 30) { try await waiter.value } }
            #expect(error?.code == .shutDown)
        }
    }

    @Test func aWaitSurvivesAServerRestartAndResubscribes() async throws {
        try await RedisServer.with { server in
            let subscribed = EventStream<Void>()
            let waiting = try Self.backend(server, pollInterval: Self.notificationsOnly, onSubscribe: { subscribed.send(()) })
            let worker = try Self.backend(server)
            // 60 s: the restart itself (the server loading its data) stretches past 20 s on a loaded 2-core machine.
            let waiter = Task { try await waiting.waitResult("restart", timeout: .seconds(60), withLogs: false) }
            _ = try await subscribed.first(1)
            try await server.restart()
            _ = try await subscribed.first(1)  // subscribed again on the new server
            // The worker's connection may notice the restart on first use, as any client would.
            do {
                try await worker.setResult(Self.success, for: "restart")
            } catch let error as TaskiqError where error.code == .resultBackend {
                try await worker.setResult(Self.success, for: "restart")
            }
            #expect(try await withTimeout(seconds: 10) { try await waiter.value }.returnValue == 3)
        }
    }
}
