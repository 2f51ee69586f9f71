import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqZeroMQ

/// A peer that stops reading (a stalled worker) over real loopback TCP. The stalled PULL below
/// stops taking bytes from its socket once its inbox is at its high-water mark, so the kernel
/// buffers fill and the pusher sees real TCP back-pressure.
@Suite struct ZMTPStalledPeerTests {
    static let payload = [UInt8](repeating: 0x61, count: 256 * 1024)

    static func message(_ index: Int) -> [[UInt8]] { [Array("\(index)".utf8), payload] }

    /// Connects a PUSH to a PULL that holds at most `inbox` messages, and proves the pair works.
    static func pair(sendTimeout: Duration) async throws -> (push: ZMTPSocket, pull: ZMTPSocket) {
        let pull = ZMTPSocket(type: .pull, options: ZMTPSocketOptions(sendHighWaterMark: 4, receiveHighWaterMark: 4))
        let push = ZMTPSocket(type: .push, options: ZMTPSocketOptions(sendHighWaterMark: 4, sendTimeout: sendTimeout))
        let endpoint = try pull.bind("tcp://127.0.0.1:0")
        try push.connect(endpoint.description)
        try await push.send([Array("hello".utf8)])
        #expect(try await pull.receive() == [Array("hello".utf8)])
        return (push, pull)
    }

    @Test func aPusherGetsAClearErrorAndLosesNothingWhenItsOnlyPeerStopsReading() async throws {
        try await withTimeout(seconds: 60) {
            let (push, pull) = try await Self.pair(sendTimeout: .milliseconds(500))
            // Nobody calls receive(): the peer has stopped reading. Sends are accepted until its
            // inbox, both kernel buffers and the pusher's queue are full, then one fails clearly.
            var accepted = 0
            var failure: ZMTPError?
            while failure == nil, accepted < 2_000 {
                do {
                    try await push.send(Self.message(accepted))
                    accepted += 1
                } catch let error as ZMTPError {
                    failure = error
                }
            }
            let error = try #require(failure, "2,000 sends of 256 KiB never filled the stalled peer")
            #expect(error.code == .sendTimeout)
            #expect(
                error.message.contains("high-water mark of 4") && error.message.contains("the message was not sent"),
                "\(error.message)")
            // The peer reads again: every accepted message arrives, in order, none dropped.
            for index in 0..<accepted {
                let parts = try await pull.receive()
                #expect(parts.first == Array("\(index)".utf8) && parts.last?.count == Self.payload.count)
            }
            // And the pair works normally afterwards.
            try await push.send([Array("after".utf8)])
            #expect(try await pull.receive() == [Array("after".utf8)])
            await push.close()
            await pull.close()
        }
    }

    @Test func aStalledPeerDoesNotHoldUpTheOthers() async throws {
        // How far the run got, for the failure message if it does not finish in time.
        let progress = Progress()
        do {
            try await Self.stalledPeerRun(progress)
        } catch is TimedOut {
            let (sent, received) = progress.state.withLock { $0 }
            Issue.record("timed out: \(sent) of 400 sent; the live peer received \(received.count), the last \(received.last ?? -1)")
        }
    }

    /// Messages sent and indices the live peer received so far.
    final class Progress: Sendable {
        let state = Mutex((sent: 0, received: [Int]()))
    }

    static func stalledPeerRun(_ progress: Progress) async throws {
        try await withTimeout(seconds: 60) {
            let (push, stalled) = try await Self.pair(sendTimeout: .seconds(10))
            let live = ZMTPSocket(type: .pull, options: ZMTPSocketOptions(receiveHighWaterMark: 1000))
            try push.connect(try live.bind("tcp://127.0.0.1:0").description)
            let bothReady = try await push.waitUntil(timeout: .seconds(30)) { $0.readyOrder.count == 2 ? true : nil }
            try #require(bothReady == true, "the second peer completed its handshake")
            // Round-robin skips the stalled peer once it is full: every send succeeds without
            // waiting for it, and the live peer gets everything the stalled one could not hold.
            let count = 400
            let received = Task {
                var indices: [Int] = []
                while indices.last != count - 1 {
                    let parts = try await live.receive()
                    if let text = String(validating: parts[0], as: UTF8.self), let index = Int(text) {
                        indices.append(index)
                        progress.state.withLock { $0.received.append(index) }
                    }
                }
                return indices
            }
            for index in 0..<count {
                try await push.send(Self.message(index))
                progress.state.withLock { $0.sent += 1 }
            }
            let indices = try await received.value
            #expect(indices == indices.sorted(), "in order")
            #expect(indices.count > count / 2, "the live peer took most of the load: \(indices.count) of \(count)")
            await push.close()
            await stalled.close()
            await live.close()
        }
    }
}
