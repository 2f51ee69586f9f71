import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqRedis

extension Redis {
    /// Rate limits counted in Redis: two workers on one stream share one limit, a limited
    /// delivery does not hold a runner, a worker stopping hands parked deliveries back, and
    /// the script survives `SCRIPT FLUSH` (EVALSHA falls back to EVAL).
    @Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage))
    struct RedisRateLimitTests {
        @Test func twoWorkersOnOneStreamShareTheLimit() async throws {
            try await RedisServer.with { server in
                let starts = StartTimes()
                let perWorker = Mutex<[Int]>([0, 0])
                let limits = RateLimits(tasks: ["limited": try RateLimit(parsing: "20/s")])
                let options = ReceiverOptions(maxAsyncTasks: 10, rateLimits: limits)
                let brokers = try (0..<2).map { index in
                    let broker = try Redis.streamBroker(server)
                    _ = broker.task("limited") { (n: Int) async throws -> Int in
                        starts.record()
                        perWorker.withLock { $0[index] += 1 }
                        return n
                    }
                    return broker
                }
                try await Redis.withWorker(brokers[0], options) { _ in
                    try await Redis.withWorker(brokers[1], options) { _ in
                        let producer = try Redis.streamBroker(server)
                        let task = producer.task("limited") { (n: Int) async throws -> Int in n }
                        try await producer.startup()
                        for n in 0..<60 { _ = try await task.kiq(n) }
                        try await eventually("60 tasks ran", seconds: 60) { starts.count >= 60 }
                        try await producer.shutdown()
                    }
                }
                let rate = starts.rate
                print("redis, 2 workers, 60 tasks at 20/s: \(rate)/s; per worker \(perWorker.withLock { $0 })")
                #expect(starts.count == 60)
                // Never above the limit; that it also reaches it (within 10%) is measured by
                // RedisRateLimitProcessTests in processes of their own, since timers in this
                // shared test process fire late while the whole suite runs.
                #expect(rate <= 22, "\(rate)/s")
            }
        }

        @Test func aParkedDeliveryFreesTheRunnerAndGoesBackOnStop() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                let broker = try Redis.streamBroker(server)
                let slowRuns = Atomic<Int>(0)
                let slow = broker.task("slow") { () async throws -> Void in slowRuns.add(1, ordering: .relaxed) }
                let free = broker.task("free") { (n: Int) async throws -> Int in n }
                let options = ReceiverOptions(maxAsyncTasks: 1, rateLimits: RateLimits(tasks: ["slow": try RateLimit(parsing: "1/h")]))
                try await Redis.withWorker(broker, options) { _ in
                    _ = try await slow.kiq()
                    _ = try await slow.kiq()  // parked for an hour
                    try await eventually("the first slow task ran") { slowRuns.load(ordering: .relaxed) == 1 }
                    let result = try await free.kiq(5).waitResult(timeout: .seconds(30))
                    #expect(result.returnValue == 5, "the only runner is free while a delivery is parked")
                }
                // Stopped: the parked delivery went back to the stream for another worker.
                #expect(slowRuns.load(ordering: .relaxed) == 1)
                let next = try Redis.streamBroker(server)
                let ranAgain = Atomic<Int>(0)
                _ = next.task("slow") { () async throws -> Void in ranAgain.add(1, ordering: .relaxed) }
                try await Redis.withWorker(next) { _ in
                    try await eventually("another worker ran the handed-back delivery") { ranAgain.load(ordering: .relaxed) == 1 }
                }
                #expect(try await Redis.pendingCount(client) == 0)
            }
        }

        /// `max_tasks_per_child` reached while a delivery waits for its limit: the worker does not
        /// wait out the limit; it hands the delivery back and returns.
        @Test func aRecycledWorkerHandsBackWhatIsParked() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                let broker = try Redis.streamBroker(server)
                let runs = Atomic<Int>(0)
                let slow = broker.task("slow") { () async throws -> Void in runs.add(1, ordering: .relaxed) }
                try await broker.startup()
                _ = try await slow.kiq()
                _ = try await slow.kiq()
                let receiver = Receiver(
                    broker: broker,
                    options: ReceiverOptions(
                        maxAsyncTasks: 4, maxDeliveries: 2, rateLimits: RateLimits(tasks: ["slow": try RateLimit(parsing: "1/h")])))
                try await withTimeout(seconds: 30) { try await receiver.run() }
                #expect(runs.load(ordering: .relaxed) == 1)
                #expect(receiver.statistics.handedBack == 1)
                try await broker.shutdown()
                receiver.shutdown()
                #expect(try await Redis.pendingCount(client) == 0, "the parked delivery is not left pending")
            }
        }

        @Test func theScriptSurvivesAFlushAndKeysExpire() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                let limiter = RedisRateLimiter(client: client)
                let limit = try RateLimit(parsing: "10/s")
                let before = ContinuousClock.now
                #expect(try await limiter.acquire("task:x", limit: limit) == .zero)
                let wait = try await limiter.acquire("task:x", limit: limit)
                let elapsed = ContinuousClock.now - before
                #expect(wait <= .milliseconds(100), "\(wait)")
                // Asked again at once, the second start waits; a starved test process may ask
                // only after the interval has passed, and then need not.
                if elapsed < .milliseconds(50) { #expect(wait > .zero, "\(wait) after \(elapsed)") }
                try await client.send(["SCRIPT", "FLUSH"])
                let afterFlush = try await limiter.acquire("task:x", limit: limit)
                #expect(afterFlush <= .milliseconds(100), "EVALSHA fell back to EVAL: \(afterFlush)")
                let ttl = try await client.send(["PTTL", "taskiq:rate_limit:task:x"]).int ?? -1
                // -1 would be a key kept forever; -2 (expired already) is what a starved test
                // process, asking over a second later, may see.
                #expect(ttl == -2 || (ttl > 0 && ttl <= 1100), "\(ttl)")
            }
        }
    }
}
