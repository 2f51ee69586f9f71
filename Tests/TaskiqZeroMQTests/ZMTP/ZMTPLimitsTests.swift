import Testing

@testable import Taskiq
@testable import TaskiqZeroMQ

/// The ZMTP caps at their boundary: exactly at the cap is accepted, one over fails the
/// connection with a reason naming the cap.
@Suite struct ZMTPLimitsTests {
    enum ZMTPCap: String, CaseIterable, Sendable { case frameSize, messageSize, framesPerMessage }

    /// A PULL machine past its handshake with the cap set to 100 (bytes or frames).
    static func pull(_ cap: ZMTPCap) -> ZMTPMachine {
        var options = ZMTPMachine.Options(socketType: .pull, maxFrameSize: 1000, maxMessageSize: 1000, maxFramesPerMessage: 1000)
        switch cap {
        case .frameSize: options.maxFrameSize = 100
        case .messageSize: options.maxMessageSize = 100
        case .framesPerMessage: options.maxFramesPerMessage = 100
        }
        var machine = ZMTPMachine(options: options)
        _ = machine.feed(ZMTPFixtures.libzmqGreeting + ZMTPFixtures.pushReady)
        return machine
    }

    /// A message measuring `n` against the cap: one frame of n bytes, two frames totalling n
    /// bytes, or n empty frames.
    static func message(_ cap: ZMTPCap, _ n: Int) -> [UInt8] {
        func frame(_ size: Int, more: Bool) -> [UInt8] { [more ? 0x01 : 0x00, UInt8(size)] + Array(repeating: 7, count: size) }
        switch cap {
        case .frameSize: return frame(n, more: false)
        case .messageSize: return frame(50, more: true) + frame(n - 50, more: false)
        case .framesPerMessage: return (0..<n).flatMap { frame(0, more: $0 < n - 1) }
        }
    }

    @Test(arguments: ZMTPCap.allCases)
    func zmtpCapsAtTheBoundary(_ cap: ZMTPCap) {
        var atCap = Self.pull(cap)
        let delivered = atCap.feed(Self.message(cap, 100))
        #expect(delivered.contains { if case .message = $0 { true } else { false } }, "exactly at the cap is delivered")
        #expect(!atCap.isClosed)
        var over = Self.pull(cap)
        let events = over.feed(Self.message(cap, 101))
        guard case .failed(let error)? = events.last else {
            Issue.record("one over the cap must fail the connection, got \(events)")
            return
        }
        #expect([.frameTooLarge, .messageTooLarge].contains(error.code))
        #expect(error.message.contains("100"), "the reason names the cap: \(error.message)")
        #expect(over.isClosed)
    }
}
