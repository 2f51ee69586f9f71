import Foundation
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqRedis

extension RESP {
    @Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage), .serialized)
    struct RedisClientTests {
        static func client(_ server: RedisServer, attempts: Int = 3) throws -> RedisClient {
            var configuration = try RedisConfiguration(url: server.url)
            configuration.reconnect = RedisReconnectPolicy(
                initialDelay: .milliseconds(20), maximumDelay: .milliseconds(200),
                attemptsPerCommand: attempts)
            return RedisClient(configuration: configuration)
        }

        @Test func reconnectsAfterTheServerRestarts() async throws {
            try await RedisServer.with { server in
                let client = try Self.client(server)
                defer { client.close() }
                try await client.send(["SET", "before", "1"])
                let first = try await client.connection()
                try await server.restart()
                // The dead connection is noticed (EOF) and replaced on next use; a command racing
                // the notice may fail once with a connection error, never with a wrong reply.
                let reply: RESPValue
                do {
                    reply = try await client.send(["PING"])
                } catch let error as RedisConnectionError {
                    #expect(error.code == .connectionClosed)
                    reply = try await client.send(["PING"])
                }
                #expect(reply == .simpleString("PONG"))
                #expect(try await client.connection() !== first)
                #expect(try await client.send(["EXISTS", "before"]) == .integer(0), "the restarted server starts empty")
            }
        }

        @Test func commandsWaitForAServerThatIsComingBack() async throws {
            try await RedisServer.with { server in
                let client = try Self.client(server, attempts: 50)
                defer { client.close() }
                try await client.send(["PING"])
                await server.pause()
                // Several callers at once share one reconnect, retried with backoff until the
                // server is back.
                let pongs = await withTaskGroup(of: Bool.self) { group in
                    for _ in 0..<20 {
                        group.addTask {
                            // Queued before the reader saw the old connection close, a PING fails
                            // with it (commands in flight are not resent); the next one reconnects.
                            do {
                                return try await client.send(["PING"], timeout: .seconds(30)) == .simpleString("PONG")
                            } catch let error as RedisConnectionError where error.code == .connectionClosed {
                                return (try? await client.send(["PING"], timeout: .seconds(30))) == .simpleString("PONG")
                            } catch {
                                return false
                            }
                        }
                    }
                    try? await server.resume()
                    var pongs = 0
                    for await ok in group where ok { pongs += 1 }
                    return pongs
                }
                #expect(pongs == 20)
            }
        }

        @Test func giveUpWithAClearErrorWhenNothingListens() async throws {
            var configuration = try RedisConfiguration(url: "redis://127.0.0.1:\(try RedisServer.freePort())")
            configuration.reconnect = RedisReconnectPolicy(
                initialDelay: .milliseconds(10), maximumDelay: .milliseconds(40),
                attemptsPerCommand: 3)
            let client = RedisClient(configuration: configuration)
            defer { client.close() }
            let started = ContinuousClock.now
            let error = await #expect(throws: RedisConnectionError.self) { try await client.send(["PING"]) }
            #expect(error?.code == .connectionRefused)
            #expect(started.duration(to: .now) < .seconds(5))
        }

        @Test func wrongPasswordIsNotRetried() async throws {
            try await RedisServer.with(password: "right") { server in
                var configuration = try RedisConfiguration(url: "redis://:wrong@127.0.0.1:\(server.port)")
                configuration.reconnect.attemptsPerCommand = 100
                configuration.reconnect.backoff.initial = .seconds(30)
                let client = RedisClient(configuration: configuration)
                defer { client.close() }
                let started = ContinuousClock.now
                let error = await #expect(throws: RedisConnectionError.self) { try await client.send(["PING"]) }
                #expect(error?.code == .authenticationFailed)
                // A single retry would have waited 30 s first.
                #expect(started.duration(to: .now) < .seconds(15))
            }
        }

        @Test func blockingCommandsUseTheirOwnConnectionAndStopOnCancel() async throws {
            try await RedisServer.with { server in
                let client = try Self.client(server)
                defer { client.close() }
                let popped = EventStream<String>()
                let consumer = Task {
                    while true {
                        do {
                            let reply = try await client.sendBlocking(["BRPOP", "jobs", 5], blockingFor: .seconds(5))
                            if let item = reply.array?.last?.string { popped.send(item) }
                        } catch {
                            popped.send(error is CancellationError ? "cancelled" : "\(error)")
                            return
                        }
                    }
                }
                try await RedisConnectionTests.waitForBlockedClients(1, try await client.connection())
                // The shared connection is not stalled by the blocked BRPOP.
                #expect(try await client.send(["PING"], timeout: .seconds(1)) == .simpleString("PONG"))
                try await client.send(["LPUSH", "jobs", "a"])
                #expect(try await popped.first(1) == ["a"])
                try await RedisConnectionTests.waitForBlockedClients(1, try await client.connection())
                let started = ContinuousClock.now
                consumer.cancel()
                _ = await consumer.value
                // Sooner than the 5 s block would have ended on its own.
                #expect(started.duration(to: .now) < .seconds(4))
                try await RedisConnectionTests.waitForBlockedClients(0, try await client.connection())
            }
        }

        @Test func aClosedClientRefusesCommands() async throws {
            try await RedisServer.with { server in
                let client = try Self.client(server)
                try await client.send(["PING"])
                client.close()
                let error = await #expect(throws: RedisConnectionError.self) { try await client.send(["PING"]) }
                #expect(error?.code == .closedLocally)
            }
        }
    }
}
