import Foundation
import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqRedis

extension RESP {
    @Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage), .serialized)
    struct RedisConnectionTests {
        static func configuration(_ server: RedisServer, _ version: RedisConfiguration.ProtocolVersion = .resp3) throws
            -> RedisConfiguration
        {
            var configuration = try RedisConfiguration(url: server.url)
            configuration.protocolVersion = version
            return configuration
        }

        static func b(_ text: String) -> RESPValue { .bulkString(Array(text.utf8)) }

        @Test func pingAndHello3() async throws {
            try await RedisServer.with { server in
                let connection = try await RedisConnection.connect(try Self.configuration(server))
                defer { connection.close() }
                #expect(try await connection.send(["PING"]) == .simpleString("PONG"))
                #expect(connection.protocolVersion == 3)
                #expect(connection.serverVersion?.isEmpty == false)
                #expect(try await connection.send(["GET", "missing"]) == .null(.resp3))
            }
        }

        @Test func binaryValuesRoundTrip() async throws {
            try await RedisServer.with { server in
                let connection = try await RedisConnection.connect(try Self.configuration(server))
                defer { connection.close() }
                let value: [UInt8] = Array(0...255) + Array("\r\n$-1\r\n*3\r\n".utf8)
                let key: [UInt8] = [0, 13, 10, 0xFF]
                #expect(try await connection.send(["SET", key, value]) == .simpleString("OK"))
                #expect(try await connection.send(["GET", key]).bytes == value)
                #expect(try await connection.send(["STRLEN", key]) == .integer(Int64(value.count)))
            }
        }

        @Test func pipelinesTenThousandCommandsAndMatchesConcurrentCallers() async throws {
            try await RedisServer.with { server in
                let connection = try await RedisConnection.connect(try Self.configuration(server))
                defer { connection.close() }
                let replies = try await connection.pipeline((0..<10_000).map { _ in ["INCR", "counter"] })
                #expect(replies == (1...10_000).map { .integer(Int64($0)) })
                // Many callers at once: each must get its own reply, in any interleaving.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for task in 0..<50 {
                        group.addTask {
                            for index in 0..<40 {
                                let key = "k\(task)-\(index)"
                                try await connection.send(["SET", key, "v\(task)-\(index)"])
                                let got = try await connection.send(["GET", key])
                                #expect(got == Self.b("v\(task)-\(index)"))
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                #expect(try await connection.send(["DBSIZE"]) == .integer(2001))
            }
        }

        @Test func resp2ModeAndReplyShapes() async throws {
            try await RedisServer.with { server in
                let resp2 = try await RedisConnection.connect(try Self.configuration(server, .resp2))
                let resp3 = try await RedisConnection.connect(try Self.configuration(server, .resp3))
                defer {
                    resp2.close()
                    resp3.close()
                }
                #expect(resp2.protocolVersion == 2)
                #expect(resp3.protocolVersion == 3)
                try await resp2.send(["HSET", "h", "f", "v"])
                #expect(try await resp2.send(["HGETALL", "h"]) == .array([Self.b("f"), Self.b("v")]))
                #expect(try await resp3.send(["HGETALL", "h"]) == .map([.init(Self.b("f"), Self.b("v"))]))
                #expect(try await resp2.send(["HGETALL", "h"]).pairs == resp3.send(["HGETALL", "h"]).pairs)
                #expect(try await resp2.send(["GET", "missing"]) == .null(.bulkString))
                #expect(try await resp2.send(["EVAL", "return {1,false,2}", 0]) == .array([.integer(1), .null(.bulkString), .integer(2)]))
                #expect(try await resp3.send(["EVAL", "return {1,false,2}", 0]) == .array([.integer(1), .null(.resp3), .integer(2)]))
            }
        }

        @Test func fallsBackToRESP2WhenTheServerRefusesHello() async throws {
            try await RedisServer.with(password: "pw", arguments: ["--rename-command", "HELLO", ""]) { server in
                let connection = try await RedisConnection.connect(try Self.configuration(server))
                defer { connection.close() }
                #expect(connection.protocolVersion == 2)
                #expect(try await connection.send(["PING"]) == .simpleString("PONG"))
            }
        }

        @Test func authenticatesWithPasswordAndACLUser() async throws {
            try await RedisServer.with(password: "s3cret") { server in
                for version in [RedisConfiguration.ProtocolVersion.resp3, .resp2] {
                    let connection = try await RedisConnection.connect(try Self.configuration(server, version))
                    #expect(try await connection.send(["ACL", "WHOAMI"]).string == "default")
                    try await connection.send(["ACL", "SETUSER", "worker", "on", ">w0rker pass", "~*", "&*", "+@all"])
                    connection.close()
                    var user = try RedisConfiguration(url: "redis://worker:w0rker%20pass@127.0.0.1:\(server.port)/3")
                    user.protocolVersion = version
                    let asUser = try await RedisConnection.connect(user)
                    #expect(try await asUser.send(["ACL", "WHOAMI"]).string == "worker")
                    #expect(try await asUser.send(["CLIENT", "INFO"]).string?.contains(" db=3 ") == true)
                    asUser.close()
                }
            }
        }

        @Test func authenticationFailuresAreClear() async throws {
            try await RedisServer.with(password: "right") { server in
                for version in [RedisConfiguration.ProtocolVersion.resp3, .resp2] {
                    var wrong = try Self.configuration(server, version)
                    wrong.password = "wrong"
                    let error = await #expect(throws: RedisConnectionError.self) { try await RedisConnection.connect(wrong) }
                    #expect(error?.code == .authenticationFailed)
                    #expect(error?.description.contains("127.0.0.1:\(server.port)") == true)
                    #expect(error?.description.contains("WRONGPASS") == true, "\(error.map { "\($0)" } ?? "")")

                    var none = wrong
                    none.password = nil
                    none.database = 1
                    let missing = await #expect(throws: RedisConnectionError.self) { try await RedisConnection.connect(none) }
                    #expect(missing?.code == .authenticationFailed)
                    #expect(missing?.description.contains("NOAUTH") == true, "\(missing.map { "\($0)" } ?? "")")
                }
            }
        }

        @Test func unreachablePortFailsQuicklyAndClearly() async throws {
            let port = try RedisServer.freePort()
            let started = ContinuousClock.now
            let error = await #expect(throws: RedisConnectionError.self) {
                try await RedisConnection.connect(try RedisConfiguration(url: "redis://127.0.0.1:\(port)"))
            }
            #expect(started.duration(to: .now) < .seconds(3), "refused at once, not after a connect timeout")
            #expect(error?.code == .connectionRefused)
            #expect(error?.description == "redis at 127.0.0.1:\(port): connection refused (is redis-server running and listening there?)")
            let unknown = await #expect(throws: RedisConnectionError.self) {
                try await RedisConnection.connect(try RedisConfiguration(url: "redis://no-such-host.invalid:6379"))
            }
            #expect(unknown?.code == .unknownHost)
        }

        @Test func selectOfAMissingDatabaseIsAHandshakeError() async throws {
            try await RedisServer.with { server in
                var configuration = try Self.configuration(server)
                configuration.database = 99
                let error = await #expect(throws: RedisConnectionError.self) { try await RedisConnection.connect(configuration) }
                #expect(error?.code == .handshakeFailed)
                #expect(error?.message.contains("SELECT 99 failed: ERR DB index is out of range") == true, "\(error?.message ?? "")")
            }
        }

        @Test func serverErrorsAreRedisErrorsAndKeepTheConnection() async throws {
            try await RedisServer.with { server in
                let connection = try await RedisConnection.connect(try Self.configuration(server))
                defer { connection.close() }
                try await connection.send(["SET", "k", "v"])
                let error = await #expect(throws: RedisError.self) { try await connection.send(["lpush", "k", "x"]) }
                #expect(error?.code == "WRONGTYPE")
                #expect(error?.command == "LPUSH")
                #expect(error?.description == "Redis refused LPUSH: WRONGTYPE Operation against a key holding the wrong kind of value")
                let replies = try await connection.pipeline([["LPUSH", "k", "x"], ["GET", "k"]])
                #expect(replies[0].redisError?.code == "WRONGTYPE")
                #expect(replies[1] == Self.b("v"))
                #expect(connection.isOpen)
            }
        }

        @Test func concurrentCallersShareWritesAndEachGetsItsOwnReplyOrError() async throws {
            try await RedisServer.with { server in
                let connection = try await RedisConnection.connect(try Self.configuration(server))
                let observer = try await RedisConnection.connect(try Self.configuration(server))
                defer {
                    connection.close()
                    observer.close()
                }
                try await connection.send(["SET", "text", "not a number"])
                let before = try await Self.readsProcessed(observer)
                let barrier = AsyncBarrier(count: 200)
                // Callers released together: even ones count, odd ones INCR a string and are refused.
                // Each caller checks its own outcome: returning (index, .success(try await ...)) from
                // the child loses the index in release builds (docs/toolchain/async-tuple-result.md).
                let counts = await withTaskGroup(of: Int64?.self) { group in
                    for index in 0..<200 {
                        group.addTask {
                            await barrier.arrive()
                            if index.isMultiple(of: 2) {
                                do {
                                    return try await connection.send(["INCR", "counter"]).int.map(Int64.init)
                                } catch {
                                    Issue.record("caller \(index) failed: \(error)")
                                    return nil
                                }
                            }
                            do {
                                let reply = try await connection.send(["INCR", "text"])
                                Issue.record("caller \(index) got \(reply) instead of its error")
                            } catch {
                                #expect((error as? RedisError)?.message.contains("not an integer") == true, "\(error)")
                            }
                            return nil
                        }
                    }
                    return await group.reduce(into: [Int64]()) { if let count = $1 { $0.append(count) } }
                }
                #expect(counts.sorted() == Array(1...100))
                // The INFO before and after are two of the reads; without coalescing each command is one.
                let reads = try await Self.readsProcessed(observer) - before
                #expect(reads <= 40, "200 concurrent commands arrived in \(reads) reads")
                #expect(connection.isOpen)
            }
        }

        /// `total_reads_processed` of `INFO stats`: how many reads the server made, on all connections.
        static func readsProcessed(_ connection: RedisConnection) async throws -> Int {
            let info = try await connection.send(["INFO", "stats"]).string ?? ""
            let line = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("total_reads_processed:") }
            return try #require(line.flatMap { Int($0.dropFirst("total_reads_processed:".count)) })
        }

        @Test(arguments: [RedisConfiguration.ProtocolVersion.resp3, .resp2])
        func streamReplyShapes(version: RedisConfiguration.ProtocolVersion) async throws {
            try await RedisServer.with { server in
                let connection = try await RedisConnection.connect(try Self.configuration(server, version))
                defer { connection.close() }
                #expect(try await connection.send(["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]) == .simpleString("OK"))
                let busy = await #expect(throws: RedisError.self) {
                    try await connection.send(["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"])
                }
                #expect(busy?.code == "BUSYGROUP")
                let id = try await connection.send(["XADD", "s", "*", "data", Array("{\"a\":\r\n1}".utf8)]).string
                #expect(id?.contains("-") == true)

                let read = try await connection.send(["XREADGROUP", "GROUP", "g", "c1", "COUNT", 10, "STREAMS", "s", ">"])
                // RESP3: a map keyed by stream; RESP2: an array of [stream, entries] pairs.
                let streams = version == .resp3 ? read.pairs : read.array?.compactMap { $0.array.map { RESPValue.Pair($0[0], $0[1]) } }
                #expect(streams?.count == 1)
                #expect(streams?.first?.key == Self.b("s"))
                let entry = streams?.first?.value.array?.first?.array
                #expect(entry?[0].string == id)
                #expect(entry?[1] == .array([Self.b("data"), .bulkString(Array("{\"a\":\r\n1}".utf8))]))

                let empty = try await connection.sendBlocking(
                    ["XREADGROUP", "GROUP", "g", "c1", "COUNT", 10, "BLOCK", 50, "STREAMS", "s", ">"],
                    blockingFor: .milliseconds(50))
                #expect(empty.isNull)

                let claimed = try await connection.send(["XAUTOCLAIM", "s", "g", "c2", 0, "0-0", "COUNT", 10])
                let parts = try #require(claimed.array)
                #expect(parts.count == 3)
                #expect(parts[0] == Self.b("0-0"))
                #expect(parts[1].array?.first?.array?.first?.string == id)
                #expect(parts[2] == .array([]))

                let pending = try await connection.send(["XPENDING", "s", "g"])
                #expect(pending.array?[0] == .integer(1))
                #expect(pending.array?[3].array?.first?.array?[1] == Self.b("1"), "per-consumer counts are bulk strings")

                #expect(try await connection.send(["XACK", "s", "g", id!]) == .integer(1))
                #expect(try await connection.send(["XACK", "s", "g", id!]) == .integer(0))
                let nogroup = await #expect(throws: RedisError.self) {
                    try await connection.send(["XREADGROUP", "GROUP", "nope", "c", "STREAMS", "s", ">"])
                }
                #expect(nogroup?.code == "NOGROUP")
            }
        }

        @Test func cancellingABlockedBRPOPClosesItsConnectionPromptly() async throws {
            try await RedisServer.with { server in
                let configuration = try Self.configuration(server)
                let blocked = try await RedisConnection.connect(configuration)
                let observer = try await RedisConnection.connect(configuration)
                defer { observer.close() }
                let outcome = EventStream<String>()
                let waiter = Task {
                    do {
                        _ = try await blocked.sendBlocking(["BRPOP", "queue", 0], blockingFor: nil)
                        outcome.send("returned")
                    } catch is CancellationError {
                        outcome.send("cancelled")
                    } catch {
                        outcome.send("\(error)")
                    }
                }
                try await Self.waitForBlockedClients(1, observer)
                let started = ContinuousClock.now
                waiter.cancel()
                #expect(try await outcome.first(1, timeout: 2) == ["cancelled"])
                #expect(started.duration(to: .now) < .seconds(3))
                #expect(!blocked.isOpen)
                try await Self.waitForBlockedClients(0, observer)
            }
        }

        @Test func aTimedOutConnectionIsDiscarded() async throws {
            try await RedisServer.with { server in
                let connection = try await RedisConnection.connect(try Self.configuration(server))
                let error = await #expect(throws: RedisConnectionError.self) {
                    try await connection.send(["BLPOP", "nothing", 5], timeout: .milliseconds(200))
                }
                #expect(error?.code == .timeout)
                #expect(error?.message.contains("no reply to BLPOP within") == true)
                #expect(!connection.isOpen)
                let next = await #expect(throws: RedisConnectionError.self) { try await connection.send(["PING"]) }
                #expect(next?.code == .timeout, "the next command is refused, not answered with the late reply")
            }
        }

        @Test func pushFramesDoNotDisturbReplies() async throws {
            try await RedisServer.with { server in
                let configuration = try Self.configuration(server)
                let subscriber = try await RedisConnection.connect(configuration)
                let publisher = try await RedisConnection.connect(configuration)
                defer {
                    subscriber.close()
                    publisher.close()
                }
                // In RESP3 the confirmation of SUBSCRIBE is itself a push, so nothing waits for a reply.
                try subscriber.sendWithoutReply(["SUBSCRIBE", "ch"])
                try await Self.waitForSubscribers(1, "ch", publisher)
                #expect(try await publisher.send(["PUBLISH", "ch", "hi"]) == .integer(1))
                #expect(try await subscriber.send(["PING"]) == .simpleString("PONG"))
                var iterator = subscriber.pushes.makeAsyncIterator()
                #expect(await iterator.next() == [Self.b("subscribe"), Self.b("ch"), .integer(1)])
                #expect(await iterator.next() == [Self.b("message"), Self.b("ch"), Self.b("hi")])
            }
        }

        @Test func invalidRESPFromTheServerIsAProtocolError() async throws {
            // A listener that answers HELLO with garbage.
            let fake = try FakeServer(reply: Array("@garbage\r\n".utf8))
            defer { fake.close() }
            let error = await #expect(throws: RedisConnectionError.self) {
                try await RedisConnection.connect(RedisConfiguration(port: fake.port))
            }
            #expect(error?.code == .protocolViolation)
            #expect(error?.message.contains("found '@' where a type byte") == true, "\(error?.message ?? "")")
        }

        static func waitForSubscribers(_ count: Int, _ channel: String, _ connection: RedisConnection) async throws {
            try await withTimeout(seconds: 30) {
                while try await connection.send(["PUBSUB", "NUMSUB", channel]).array?.last?.int != count {
                    try await Task.sleep(for: .milliseconds(5))  // polling server state against the deadline
                }
            }
        }

        static func waitForBlockedClients(_ count: Int, _ connection: RedisConnection) async throws {
            try await withTimeout(seconds: 30) {
                while true {
                    let info = try await connection.send(["INFO", "clients"]).string ?? ""
                    if info.contains("blocked_clients:\(count)\r\n") { return }
                    try await Task.sleep(for: .milliseconds(5))  // polling server state against the deadline
                }
            }
        }
    }
}
