import Testing

@testable import Taskiq
@testable import TaskiqZeroMQ

@Suite struct ZMTPMachineTests {
    typealias F = ZMTPFixtures

    func machine(_ type: ZMTPSocketType, maxFrameSize: Int = 8 << 20) -> ZMTPMachine {
        ZMTPMachine(options: .init(socketType: type, maxFrameSize: maxFrameSize))
    }

    /// Feeds `bytes` in one chunk and byte by byte, expects both to agree, returns the events.
    func feedBothWays(_ type: ZMTPSocketType, _ bytes: [UInt8]) -> [ZMTPEvent] {
        var whole = machine(type)
        let chunked = whole.feed(bytes)
        var single = machine(type)
        var byByte: [ZMTPEvent] = []
        for byte in bytes { byByte += single.feed([byte]) }
        #expect(chunked == byByte)
        return chunked
    }

    @Test func greetingIsByteIdenticalToLibzmq() {
        #expect(machine(.push).greeting() == F.libzmqGreeting)
        var options = ZMTPMachine.Options(socketType: .sub)
        options.minorVersion = 0
        #expect(ZMTPMachine(options: options).greeting() == F.greeting30)
    }

    @Test func readyCommandsMatchCapture() {
        #expect(machine(.push).ready() == F.pushReady)
        #expect(ZMTPMachine.ready(socketType: .sub) == F.subReady)
    }

    @Test func multipartMessageWithLongFrameEncodesLikeLibzmq() {
        let parts = [Array("hello".utf8), [UInt8](repeating: UInt8(ascii: "x"), count: 300)]
        #expect(machine(.push).encode(message: parts) == F.helloAnd300)
        #expect(machine(.push).encode(message: []) == [0, 0])
        #expect(machine(.push).encode(message: [[UInt8](repeating: 7, count: 255)]).prefix(2) == [0x00, 0xFF])
    }

    @Test func pullDecodesLibzmqPushSession() {
        let events = feedBothWays(.pull, F.libzmqGreeting + F.pushReady + F.helloAnd300)
        #expect(
            events == [
                .greetingReceived(ZMTPGreeting(major: 3, minor: 1)),
                .ready([ZMTPProperty(name: "Socket-Type", value: "PUSH")]),
                .message([Array("hello".utf8), [UInt8](repeating: UInt8(ascii: "x"), count: 300)]),
            ])
    }

    @Test func publisherAcceptsBothSubscriptionForms() {
        let topic = Array("topic".utf8)
        let v31 = feedBothWays(.pub, F.libzmqGreeting + F.subReady + F.subscribe31 + F.cancel31)
        #expect(v31.suffix(2) == [.subscribe(topic), .cancel(topic)])
        let v30 = feedBothWays(.pub, F.greeting30 + F.subReady + F.subscribe30 + F.cancel30)
        #expect(v30.suffix(2) == [.subscribe(topic), .cancel(topic)])
        #expect(v30.first == .greetingReceived(ZMTPGreeting(major: 3, minor: 0)))
    }

    @Test func nonPublisherTreatsLegacyFormAsData() {
        var options = ZMTPMachine.Options(socketType: .pull)
        options.minorVersion = 1
        var pull = ZMTPMachine(options: options)
        let events = pull.feed(F.libzmqGreeting + F.pushReady + F.subscribe30)
        #expect(events.last == .message([[1] + Array("topic".utf8)]))
    }

    @Test func subscriberEmitsTheFormThePeerSpeaks() {
        let topic = Array("topic".utf8)
        var modern = machine(.sub)
        _ = modern.feed(F.libzmqGreeting)
        #expect(modern.subscribe(topic) == F.subscribe31)
        #expect(modern.cancel(topic) == F.cancel31)
        var legacy = machine(.sub)
        _ = legacy.feed(F.greeting30)
        #expect(legacy.subscribe(topic) == F.subscribe30)
        #expect(legacy.cancel(topic) == F.cancel30)
    }

    @Test func pingAndPong() {
        let events = feedBothWays(
            .push,
            F.libzmqGreeting + ZMTPMachine.ready(socketType: .pull) + F.libzmqPing
                + ZMTPMachine.ping(ttlDeciseconds: 0, context: Array("ctx1".utf8)) + F.pongCtx1)
        #expect(
            events.suffix(3) == [
                .ping(ttlDeciseconds: 30, context: []), .ping(ttlDeciseconds: 0, context: Array("ctx1".utf8)),
                .pong(context: Array("ctx1".utf8)),
            ])
        #expect(ZMTPMachine.pong(context: Array("ctx1".utf8)) == F.pongCtx1)
        #expect(ZMTPMachine.ping(ttlDeciseconds: 30) == F.libzmqPing)
    }

    @Test func libzmqLeniencyIsMirrored() {
        var pull = machine(.pull)
        var greeting = F.libzmqGreeting
        greeting[1] = 0x55  // garbage padding
        greeting[32] = 1  // as-server
        greeting[40] = 0x33  // garbage filler
        let lowercaseName = ZMTPMachine.ready(properties: [
            ZMTPProperty(name: "socket-type", value: "nonsense"), ZMTPProperty(name: "X-Client", value: "me"),
        ])
        let events = pull.feed(
            greeting + lowercaseName + ZMTPMachine.command(name: "HELLO", data: [1, 2])
                + [0x80 | 0x00, 0x01, 0x41]  // reserved bit set
                + [0x02, 0, 0, 0, 0, 0, 0, 0, 2, 0x42, 0x43])  // LONG with a small size
        #expect(events.count == 4)
        #expect(events[2] == .message([[0x41]]))
        #expect(events[3] == .message([[0x42, 0x43]]))
        var bare = machine(.pull)
        #expect(bare.feed(F.libzmqGreeting + ZMTPMachine.ready(properties: [])).last == .ready([]))
    }

    struct Violation: Sendable, CustomStringConvertible {
        var name: String
        var type: ZMTPSocketType
        var bytes: [UInt8]
        var code: ZMTPProtocolError.Code
        var description: String { name }
    }

    static let violations: [Violation] = {
        let g = ZMTPFixtures.libzmqGreeting
        var zmtp2 = g
        zmtp2[10] = 1
        var unversioned = g
        unversioned[9] = 0x7E
        var plain = g
        plain.replaceSubrange(12..<16, with: Array("PLAI".utf8))
        var curve = g
        curve[16] = UInt8(ascii: "X")  // "NULLX": all 20 bytes count
        return [
            Violation(name: "HTTP request", type: .pull, bytes: Array("GET / HTTP/1.1\r\n\r\n".utf8), code: .badSignature),
            Violation(name: "ZMTP 1.0", type: .pull, bytes: Array(unversioned.prefix(10)), code: .badSignature),
            Violation(name: "ZMTP 2.0", type: .pull, bytes: Array(zmtp2.prefix(11)), code: .unsupportedVersion),
            Violation(name: "PLAIN mechanism", type: .pull, bytes: plain, code: .unsupportedMechanism),
            Violation(name: "padded mechanism", type: .pull, bytes: curve, code: .unsupportedMechanism),
            Violation(name: "message before READY", type: .pull, bytes: g + [0x00, 0x01, 0x41], code: .messageBeforeReady),
            Violation(name: "other command before READY", type: .pull, bytes: g + ZMTPMachine.ping(), code: .unexpectedCommand),
            Violation(
                name: "same socket type", type: .push, bytes: g + ZMTPFixtures.pushReady, code: .incompatibleSocketType),
            Violation(
                name: "lowercase type value", type: .pull,
                bytes: g + ZMTPMachine.ready(properties: [ZMTPProperty(name: "Socket-Type", value: "push")]),
                code: .incompatibleSocketType),
            Violation(
                name: "SUB to PUSH", type: .push, bytes: g + ZMTPFixtures.subReady, code: .incompatibleSocketType),
            Violation(
                name: "truncated READY", type: .pull, bytes: g + [0x04, 0x09, 0x05] + Array("READY".utf8) + [0x0b, 0x53, 0x6f],
                code: .malformedCommand),
            Violation(name: "empty command", type: .pull, bytes: g + [0x04, 0x00], code: .malformedCommand),
            Violation(name: "name past body", type: .pull, bytes: g + [0x04, 0x02, 0x09, 0x41], code: .malformedCommand),
            Violation(
                name: "huge long frame", type: .pull,
                bytes: g + ZMTPFixtures.pushReady + [0x02, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
                code: .frameTooLarge),
            Violation(
                name: "huge command", type: .pull, bytes: g + [0x06, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], code: .frameTooLarge),
            Violation(
                name: "command with MORE", type: .pull, bytes: g + ZMTPFixtures.pushReady + [0x05, 0x05, 0x04] + Array("PING".utf8),
                code: .malformedCommand),
            Violation(
                name: "PING without TTL", type: .pull, bytes: g + ZMTPFixtures.pushReady + [0x04, 0x05, 0x04] + Array("PING".utf8),
                code: .malformedCommand),
            Violation(
                name: "READY twice", type: .pull, bytes: g + ZMTPFixtures.pushReady + ZMTPFixtures.pushReady, code: .unexpectedCommand),
        ]
    }()

    @Test(arguments: violations)
    func violationsAreTerminalFailures(_ violation: Violation) {
        for split in [false, true] {
            var machine = machine(violation.type, maxFrameSize: 1 << 20)
            var events: [ZMTPEvent] = []
            if split {
                for byte in violation.bytes { events += machine.feed([byte]) }
            } else {
                events = machine.feed(violation.bytes)
            }
            guard case .failed(let error) = events.last else {
                Issue.record("\(violation.name): expected a failure, got \(events)")
                continue
            }
            #expect(error.code == violation.code, "\(error)")
            #expect(events.filter(\.isTerminal).count == 1)
            #expect(machine.isClosed)
            #expect(machine.feed(F.pushReady + F.helloAnd300).isEmpty)
            #expect(machine.bufferedByteCount == 0)
        }
    }

    @Test func errorCommandIsTerminal() {
        var pull = machine(.pull)
        let events = pull.feed(F.libzmqGreeting + ZMTPMachine.error(reason: "go away") + F.pushReady)
        #expect(events.last == .error(reason: "go away"))
        #expect(pull.isClosed)
    }

    @Test func oversizedFrameFailsBeforeItsBodyArrives() {
        var pull = machine(.pull, maxFrameSize: 100)
        _ = pull.feed(F.libzmqGreeting + F.pushReady)
        let events = pull.feed([0x02, 0, 0, 0, 0, 0, 0, 0, 200])
        #expect(events.last.map { if case .failed(let e) = $0 { e.code == .frameTooLarge } else { false } } == true)
    }

    @Test func multipartSizeAndFrameCountAreBounded() {
        var options = ZMTPMachine.Options(socketType: .pull, maxFrameSize: 100, maxMessageSize: 150)
        var pull = ZMTPMachine(options: options)
        _ = pull.feed(F.libzmqGreeting + F.pushReady)
        let frame: [UInt8] = [0x01, 80] + [UInt8](repeating: 1, count: 80)
        #expect(pull.feed(frame).isEmpty)
        guard case .failed(let error) = pull.feed(frame).last else {
            Issue.record("expected failure")
            return
        }
        #expect(error.code == .messageTooLarge)

        options.maxFramesPerMessage = 10
        pull = ZMTPMachine(options: options)
        _ = pull.feed(F.libzmqGreeting + F.pushReady)
        let events = pull.feed(Array(repeating: [0x01, 0x00] as [UInt8], count: 11).flatMap { $0 })
        #expect(events.last.map { if case .failed(let e) = $0 { e.code == .messageTooLarge } else { false } } == true)
    }
}
