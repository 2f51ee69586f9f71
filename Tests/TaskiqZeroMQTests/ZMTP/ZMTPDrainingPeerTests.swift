import Glibc
import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqZeroMQ

/// PUSH passes over a peer that completed its handshake and then stopped reading, and a bound
/// endpoint serves a bounded number of connections: both over real loopback TCP, the stalled
/// peer being a raw socket that speaks the handshake and never reads again.
@Suite struct ZMTPDrainingPeerTests {
    /// Connects a raw TCP client to `endpoint`, sends a PULL greeting and READY, and reads nothing.
    static func stalledPull(_ endpoint: ZMTPEndpoint) throws -> (TCPConnection, ZMTPMachine) {
        let tcp = try endpoint.connect(timeout: .seconds(5))
        let machine = ZMTPMachine(options: .init(socketType: .pull))
        #expect(throws: Never.self) { try tcp.sendAll(machine.greeting() + machine.ready()) }
        return (tcp, machine)
    }

    @Test func aPeerThatStopsReadingIsPassedOverWhileALivePeerTakesTheRest() async throws {
        try await withTimeout(seconds: 60) {
            let push = ZMTPSocket(type: .push, options: ZMTPSocketOptions(sendTimeout: .seconds(10)))
            let endpoint = try push.bind("tcp://127.0.0.1:0")
            var (stalled, machine) = try Self.stalledPull(endpoint)
            #expect(try await push.waitForReadyPeers(atLeast: 1, timeout: .seconds(10)))
            let live = ZMTPSocket(type: .pull)
            try live.connect(endpoint.description)
            #expect(try await push.waitForReadyPeers(atLeast: 2, timeout: .seconds(10)))

            let liveCount = Mutex(0)
            let receiving = Task {
                while true {
                    _ = try await live.receive()
                    liveCount.withLock { $0 += 1 }
                }
            }
            // 3,000 messages of 1 KiB. Round-robin alone gave the stalled peer half of them (its
            // kernel buffers, ours and our queue took them all): here it gets what its receive
            // window absorbs before its backlog shows, and the live peer gets the rest.
            let count = 3_000
            let payload = [UInt8](repeating: 0x62, count: 1024)
            for index in 0..<count { try await push.send([Array("\(index)".utf8), payload]) }

            // Now the stalled peer reads: everything it was given arrives, so nothing was lost.
            var stalledCount = 0
            stalled.setReceiveTimeout(.seconds(1))  // Re-checks the live count at least once a second.
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 1)
            defer { buffer.deallocate() }
            while stalledCount + liveCount.withLock({ $0 }) < count {
                try Task.checkCancellation()
                let read = (try? stalled.receive(into: buffer)) ?? -1
                if read == 0 { break }
                guard read > 0 else { continue }
                for event in machine.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<read])) {
                    if case .message = event { stalledCount += 1 }
                }
            }
            let liveTotal = liveCount.withLock { $0 }
            #expect(stalledCount + liveTotal == count, "stalled \(stalledCount) + live \(liveTotal)")
            // About 120 here: ~54 KiB in its kernel's receive buffer plus the 64 KiB drain limit.
            #expect(stalledCount < 400, "the stalled peer took \(stalledCount) of \(count)")
            receiving.cancel()
            stalled.shutdown()
            stalled.close()
            await push.close()
            await live.close()
            _ = try? await receiving.value
        }
    }

    @Test func anEndpointServesAtMostMaxConnectionsAndRefusesTheRest() async throws {
        try await withTimeout(seconds: 60) {
            let pull = ZMTPSocket(type: .pull, options: ZMTPSocketOptions(maxConnections: 3))
            let endpoint = try pull.bind("tcp://127.0.0.1:0")
            var clients: [TCPConnection] = []
            for _ in 0..<40 { clients.append(try endpoint.connect(timeout: .seconds(5))) }
            defer {
                for client in clients {
                    client.shutdown()
                    client.close()
                }
            }
            // A refusal wakes waiters: without that, this wait ran to its deadline in release builds.
            let started = ContinuousClock.now
            let refused = try await pull.waitUntil(timeout: .seconds(20)) { $0.refused >= 37 ? $0.refused : nil }
            #expect(refused == 37)
            #expect(ContinuousClock.now - started < .seconds(10), "refusals wake waiters")
            #expect(pull.peerCount == 3)
            // One accept thread, and a reader per served connection (plus a writer while it has
            // something to write): not two per client.
            #expect(pull.threadCount <= 1 + 3 * 2)

            // The first three are served (they get the greeting); the others are closed at once.
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 10, alignment: 1)
            defer { buffer.deallocate() }
            for (index, client) in clients.enumerated() {
                client.setReceiveTimeout(.seconds(10))
                let read = (try? client.receive(into: buffer)) ?? -1
                if index < 3 { #expect(read > 0, "client \(index) is served") } else { #expect(read == 0, "client \(index) is refused") }
            }

            // A slot that frees up is used again.
            clients[0].shutdown()
            #expect(try await pull.waitUntil(timeout: .seconds(10)) { $0.peers.count == 2 ? true : nil } == true)
            clients.append(try endpoint.connect(timeout: .seconds(5)))
            #expect(try await pull.waitUntil(timeout: .seconds(10)) { $0.peers.count == 3 ? true : nil } == true)
            #expect(pull.refusedConnectionCount == 37)
            await pull.close()
        }
    }

    /// An idle connection keeps its reader thread only: the writer ends a second after its last write
    /// and starts again with the next message.
    @Test func anIdleConnectionCostsOneThread() async throws {
        try await withTimeout(seconds: 30) {
            let push = ZMTPSocket(type: .push)
            let endpoint = try push.bind("tcp://127.0.0.1:0")
            let pulls = (0..<5).map { _ in ZMTPSocket(type: .pull) }
            for pull in pulls { try pull.connect(endpoint.description) }
            #expect(try await push.waitForReadyPeers(atLeast: 5, timeout: .seconds(10)))
            // Polled against the deadline: a writer ending raises no event.
            while push.threadCount > 1 + 5 { try await Task.sleep(for: .milliseconds(50)) }
            #expect(push.threadCount == 1 + 5)
            for index in 0..<10 { try await push.send([Array("m\(index)".utf8)]) }
            var received = 0
            for pull in pulls {
                for _ in 0..<2 {
                    _ = try await pull.receive()
                    received += 1
                }
            }
            #expect(received == 10)
            await push.close()
            for pull in pulls { await pull.close() }
        }
    }
}
