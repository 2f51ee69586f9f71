import Glibc
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqZeroMQ

@Suite struct ZMTPEndpointTests {
    @Test(
        arguments: [
            ("tcp://127.0.0.1:5555", "127.0.0.1", 5555), ("tcp://localhost:0", "localhost", 0), ("tcp://*:80", "*", 80),
        ] as [(String, String, UInt16)])
    func parses(_ text: String, _ host: String, _ port: UInt16) throws {
        let endpoint = try ZMTPEndpoint(parsing: text)
        #expect(endpoint.host == host && endpoint.port == port)
        #expect(endpoint.description == text)
    }

    @Test(arguments: ["ipc:///tmp/x", "tcp://127.0.0.1", "tcp://:5555", "tcp://host:99999", "tcp://host:abc"])
    func rejects(_ text: String) {
        #expect(throws: ZMTPError.self) { try ZMTPEndpoint(parsing: text) }
    }

    @Test func connectingToStarIsRejected() {
        #expect(throws: ZMTPError.self) { try ZMTPSocket(type: .push).connect("tcp://*:5555") }
    }

    @Test func backoffDoublesWithJitterUpToTheCap() {
        let backoff = ZMTPSocketOptions(reconnectInterval: .milliseconds(100), reconnectIntervalMax: .milliseconds(400))
            .reconnectBackoff
        var rng = SeededGenerator(state: 1)
        let delays = (1...5).map { backoff.delay(attempt: $0, using: &rng) }
        for (delay, base) in zip(delays, [100, 200, 400, 400, 400]) {
            #expect(delay >= .milliseconds(base) && delay < .milliseconds(base * 3 / 2))
        }
        #expect(backoff.delay(attempt: 1, using: &rng) < .milliseconds(150))
        // A maximum below the interval is raised to it, as libzmq does.
        let flat = ZMTPSocketOptions(reconnectInterval: .milliseconds(100), reconnectIntervalMax: .milliseconds(10))
        #expect(flat.reconnectBackoff.baseDelay(attempt: 3) == .milliseconds(100))
    }
}

@Suite struct ZMTPSocketTests {
    static let fast = ZMTPSocketOptions(
        sendTimeout: .seconds(5), reconnectInterval: .milliseconds(20), reconnectIntervalMax: .milliseconds(200))

    @Test func pushToPullAcrossTwoPullsRoundRobins() async throws {
        try await withTimeout(seconds: 20) {
            let push = ZMTPSocket(type: .push, options: Self.fast)
            let endpoint = try push.bind("tcp://127.0.0.1:0")
            #expect(endpoint.port != 0)
            let pulls = [ZMTPSocket(type: .pull, options: Self.fast), ZMTPSocket(type: .pull, options: Self.fast)]
            for pull in pulls { try pull.connect(endpoint.description) }
            #expect(try await push.waitForReadyPeers(atLeast: 2, timeout: .seconds(10)))
            for index in 0..<10 { try await push.send([Array("m\(index)".utf8), [UInt8](repeating: 1, count: 300)]) }
            var received: [String] = []
            for pull in pulls {
                for _ in 0..<5 {
                    let parts = try await pull.receive()
                    #expect(parts.count == 2 && parts[1].count == 300)
                    received.append(String(decoding: parts[0], as: UTF8.self))
                }
            }
            #expect(Set(received) == Set((0..<10).map { "m\($0)" }))
            await push.close()
            for pull in pulls { await pull.close() }
        }
    }

    @Test func pushWithoutPeersTimesOutWithAClearError() async throws {
        var options = Self.fast
        options.sendTimeout = .milliseconds(200)
        let push = ZMTPSocket(type: .push, options: options)
        try push.bind("tcp://127.0.0.1:0")
        await #expect(throws: ZMTPError.self) { try await push.send([[1]]) }
        await push.close()
    }

    @Test func pushWaitsForAPeerThatConnectsLater() async throws {
        try await withTimeout(seconds: 20) {
            let pull = ZMTPSocket(type: .pull, options: Self.fast)
            let push = ZMTPSocket(type: .push, options: Self.fast)
            let endpoint = try pull.bind("tcp://127.0.0.1:0")
            async let sent: Void = push.send([Array("late".utf8)])
            try push.connect(endpoint.description)
            try await sent
            #expect(try await pull.receive() == [Array("late".utf8)])
            await push.close()
            await pull.close()
        }
    }

    @Test func pubSubFiltersByPrefixAndCountsSubscribers() async throws {
        try await withTimeout(seconds: 20) {
            let pub = ZMTPSocket(type: .pub, options: Self.fast)
            let endpoint = try pub.bind("tcp://127.0.0.1:0")
            let sub = ZMTPSocket(type: .sub, options: Self.fast)
            try sub.subscribe(Array("a".utf8))
            try sub.connect(endpoint.description)
            #expect(try await pub.waitForSubscribers(timeout: .seconds(10)))
            #expect(pub.subscriberCount == 1)
            for word in ["apple", "banana", "avocado"] { try await pub.send([Array(word.utf8)]) }
            #expect(try await sub.receive() == [Array("apple".utf8)])
            #expect(try await sub.receive() == [Array("avocado".utf8)])
            await pub.close()
            await sub.close()
        }
    }

    @Test func legacyZMTP30SubscriptionsWork() async throws {
        try await withTimeout(seconds: 20) {
            var legacy = Self.fast
            legacy.zmtpMinorVersion = 0
            let pub = ZMTPSocket(type: .pub, options: legacy)
            let endpoint = try pub.bind("tcp://127.0.0.1:0")
            let sub = ZMTPSocket(type: .sub, options: Self.fast)
            try sub.connect(endpoint.description)
            try sub.subscribe()
            #expect(try await pub.waitForSubscribers(timeout: .seconds(10)))
            try await pub.send([[7]])
            #expect(try await sub.receive() == [[7]])
            await pub.close()
            await sub.close()
        }
    }

    @Test func subReconnectsAndResubscribesAfterPublisherRestart() async throws {
        try await withTimeout(seconds: 30) {
            let first = ZMTPSocket(type: .pub, options: Self.fast)
            let endpoint = try first.bind("tcp://127.0.0.1:0")
            let sub = ZMTPSocket(type: .sub, options: Self.fast)
            try sub.subscribe()
            try sub.connect(endpoint.description)
            #expect(try await first.waitForSubscribers(timeout: .seconds(10)))
            await first.close()
            let second = ZMTPSocket(type: .pub, options: Self.fast)
            try second.bind(endpoint.description)
            #expect(try await second.waitForSubscribers(timeout: .seconds(10)))
            try await second.send([Array("again".utf8)])
            #expect(try await sub.receive() == [Array("again".utf8)])
            await second.close()
            await sub.close()
        }
    }

    @Test func badPeersAreDisconnectedWhileGoodOnesAreServed() async throws {
        try await withTimeout(seconds: 20) {
            var options = Self.fast
            options.maxFrameSize = 1000
            let pull = ZMTPSocket(type: .pull, options: options)
            let endpoint = try pull.bind("tcp://127.0.0.1:0")
            let good = ZMTPSocket(type: .push, options: Self.fast)
            try good.connect(endpoint.description)
            #expect(try await good.waitForReadyPeers(timeout: .seconds(10)))
            let garbage = [
                Array("GET / HTTP/1.1\r\n\r\n".utf8),
                ZMTPFixtures.libzmqGreeting + ZMTPFixtures.pushReady + [0x02, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
                ZMTPFixtures.libzmqGreeting + ZMTPFixtures.subReady,
            ]
            for bytes in garbage {
                let raw = try endpoint.connect(timeout: .seconds(2))
                #expect(throws: Never.self) { try raw.sendAll(bytes) }
                // The server closes the connection: read to end of stream.
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 1)
                raw.setReceiveTimeout(.seconds(5))
                while true {
                    let count = (try? raw.receive(into: buffer)) ?? -1
                    if count <= 0 {
                        #expect(count == 0, "expected the server to close the connection")
                        break
                    }
                }
                buffer.deallocate()
                raw.close()
            }
            try await good.send([Array("still served".utf8)])
            #expect(try await pull.receive() == [Array("still served".utf8)])
            await good.close()
            await pull.close()
        }
    }

    @Test func closeFailsPendingReceives() async throws {
        let pull = ZMTPSocket(type: .pull)
        try pull.bind("tcp://127.0.0.1:0")
        // Whether `receive` is already waiting or starts after the close, it must throw.
        let waiting = Task { try await pull.receive() }
        await pull.close()
        await #expect(throws: ZMTPError.self) { _ = try await waiting.value }
    }

    @Test func manyMessagesArriveInOrderThroughTheBatchingWriter() async throws {
        // The send timeout outlasts the test's deadline, so a lost wake-up of a sender waiting
        // at the high-water mark fails the test instead of passing slowly.
        let patient = ZMTPSocketOptions(sendTimeout: .seconds(120))
        try await withTimeout(seconds: 60) {
            let pull = ZMTPSocket(type: .pull, options: patient)
            let endpoint = try pull.bind("tcp://127.0.0.1:0")
            let push = ZMTPSocket(type: .push, options: patient)
            try push.connect(endpoint.description)
            let count = 20_000
            async let sending: Void = {
                for index in 0..<count { try await push.send([withUnsafeBytes(of: UInt32(index)) { Array($0) }]) }
            }()
            var firstMismatch: Int?
            for index in 0..<count {
                let parts = try await pull.receive()
                if parts[0] != withUnsafeBytes(of: UInt32(index), { Array($0) }) {
                    firstMismatch = index
                    break
                }
            }
            #expect(firstMismatch == nil)
            try await sending
            await push.close()
            await pull.close()
        }
    }
}
