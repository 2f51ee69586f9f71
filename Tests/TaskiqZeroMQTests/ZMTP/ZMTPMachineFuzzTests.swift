import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqZeroMQ

/// SplitMix64: a tiny deterministic generator, so a failing fuzz case reproduces exactly.

@Suite struct ZMTPMachineFuzzTests {
    static let options = ZMTPMachine.Options(
        socketType: .pub, maxFrameSize: 512, maxMessageSize: 2048, maxFramesPerMessage: 64)
    /// Anything held after a feed is at most one incomplete frame plus the parts of one message.
    static let bufferBound = 9 + 512 + 2048

    /// A valid SUB→PUB conversation with random messages, subscriptions, pings and commands.
    func validStream(_ rng: inout SeededGenerator) -> [UInt8] {
        var bytes = Bool.random(using: &rng) ? ZMTPFixtures.libzmqGreeting : ZMTPFixtures.greeting30
        bytes += ZMTPFixtures.subReady
        for _ in 0..<Int.random(in: 0...12, using: &rng) {
            switch Int.random(in: 0..<5, using: &rng) {
            case 0:
                let parts = (0..<Int.random(in: 1...4, using: &rng)).map { _ in
                    (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                }
                ZMTPMachine.appendMessage(parts, to: &bytes)
            case 1:
                bytes += ZMTPMachine.subscription(
                    Array("t\(Int.random(in: 0...9, using: &rng))".utf8), subscribe: Bool.random(using: &rng),
                    commandForm: Bool.random(using: &rng))
            case 2: bytes += ZMTPMachine.ping(ttlDeciseconds: 30, context: [1, 2, 3])
            case 3: bytes += ZMTPMachine.command(name: "X-UNKNOWN", data: [9, 9])
            default: bytes += ZMTPMachine.pong(context: [])
            }
        }
        return bytes
    }

    func mutate(_ bytes: inout [UInt8], _ rng: inout SeededGenerator) {
        for _ in 0..<Int.random(in: 1...4, using: &rng) where !bytes.isEmpty {
            let index = Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: bytes[index] = UInt8.random(in: 0...255, using: &rng)
            case 1: bytes[index] ^= 1 << UInt8.random(in: 0...7, using: &rng)
            case 2: bytes.remove(at: index)
            default: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: index)
            }
        }
    }

    /// Feeds `bytes` in random chunks, checking the invariants after every chunk.
    func run(_ bytes: [UInt8], _ rng: inout SeededGenerator) {
        var machine = ZMTPMachine(options: Self.options)
        var index = 0
        var terminal = 0
        while index < bytes.count {
            let length = min(bytes.count - index, Int.random(in: 1...700, using: &rng))
            let events = machine.feed(bytes[index..<(index + length)])
            index += length
            terminal += events.filter(\.isTerminal).count
            if let position = events.firstIndex(where: { $0.isTerminal }) { #expect(position == events.count - 1) }
            #expect(machine.bufferedByteCount <= Self.bufferBound + 700)
            if terminal > 0 { #expect(machine.bufferedByteCount == 0) }
        }
        #expect(terminal <= 1)
    }

    @Test func validStreamsNeverFail() {
        var rng = SeededGenerator(state: 42)
        for _ in 0..<500 {
            var machine = ZMTPMachine(options: Self.options)
            let events = machine.feed(validStream(&rng))
            #expect(!events.contains { $0.isTerminal }, "\(events.filter { $0.isTerminal })")
            #expect(machine.isReady)
        }
    }

    @Test func mutatedStreamsAreHandledWithoutCrashOrUnboundedBuffering() {
        var rng = SeededGenerator(state: 0x5EED)
        for _ in 0..<3000 {
            var bytes = validStream(&rng)
            mutate(&bytes, &rng)
            run(bytes, &rng)
        }
    }

    @Test func randomFramesAfterAValidHandshake() {
        var rng = SeededGenerator(state: 7)
        for _ in 0..<3000 {
            var bytes = ZMTPFixtures.libzmqGreeting + ZMTPFixtures.subReady
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                let flags = UInt8.random(in: 0...255, using: &rng)
                bytes.append(flags)
                if flags & 0x02 != 0 {
                    let size =
                        Bool.random(using: &rng) ? UInt64.random(in: 0...UInt64.max, using: &rng) : UInt64.random(in: 0...600, using: &rng)
                    for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: size >> UInt64(shift))) }
                } else {
                    bytes.append(UInt8.random(in: 0...255, using: &rng))
                }
                bytes += (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            }
            run(bytes, &rng)
        }
    }

    @Test func pureGarbage() {
        var rng = SeededGenerator(state: 99)
        for _ in 0..<2000 {
            var bytes = (0..<Int.random(in: 0...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if Bool.random(using: &rng) { bytes.insert(0xFF, at: 0) }
            run(bytes, &rng)
        }
    }
}
