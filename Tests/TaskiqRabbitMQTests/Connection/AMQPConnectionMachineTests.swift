import TaskiqRabbitMQ
import Testing

/// The machine driven by the frames a RabbitMQ 3.10.8 server sends, without a socket.
@Suite struct AMQPConnectionMachineTests {
    let t0 = ContinuousClock.now

    static func frames(_ frames: AMQPFrame...) -> [UInt8] { frames.flatMap(\.encoded) }

    static let start = AMQPFrame.method(
        channel: 0,
        .connectionStart(
            versionMajor: 0, versionMinor: 9, serverProperties: ["product": .string("RabbitMQ"), "version": .string("3.10.8")],
            mechanisms: Array("AMQPLAIN PLAIN".utf8), locales: Array("en_US".utf8)))
    static let tune = AMQPFrame.method(channel: 0, .connectionTune(channelMax: 2047, frameMax: 131_072, heartbeat: 60))

    /// Decodes everything the machine queued.
    static func sent(_ machine: inout AMQPConnectionMachine, skippingHeader: Bool = false) throws -> [AMQPFrame] {
        var bytes = machine.takeOutbound()
        if skippingHeader {
            #expect(Array(bytes.prefix(8)) == AMQPFrame.protocolHeader)
            bytes.removeFirst(8)
        }
        var decoder = AMQPFrameDecoder(frameMax: 0)
        decoder.append(bytes)
        var frames: [AMQPFrame] = []
        while let frame = try decoder.next() { frames.append(frame) }
        return frames
    }

    func openMachine(heartbeat: UInt16 = 30) throws -> AMQPConnectionMachine {
        var machine = AMQPConnectionMachine(
            options: AMQPConnectionOptions(
                user: "taskiq", password: "s3cret", virtualHost: "/jobs",
                tuning: AMQPTuning(channelMax: 100, frameMax: 1_048_576, heartbeat: heartbeat)), now: t0)
        machine.start(now: t0)
        #expect(machine.receive(Self.frames(Self.start), now: t0).isEmpty)
        let login = try Self.sent(&machine, skippingHeader: true)
        guard case .method(0, .connectionStartOk(let properties, "PLAIN", let response, "en_US"))? = login.first, login.count == 1 else {
            Issue.record("expected one StartOk, got \(login)")
            return machine
        }
        #expect(response == [0] + Array("taskiq".utf8) + [0] + Array("s3cret".utf8))
        guard case .table(let capabilities)? = properties["capabilities"] else {
            Issue.record("no capabilities in \(properties)")
            return machine
        }
        #expect(capabilities["authentication_failure_close"] == .bool(true))
        #expect(capabilities["publisher_confirms"] == .bool(true))
        #expect(machine.receive(Self.frames(Self.tune), now: t0).isEmpty)
        let agreed = AMQPTuning(channelMax: 100, frameMax: 131_072, heartbeat: heartbeat == 0 ? 60 : min(heartbeat, 60))
        #expect(
            try Self.sent(&machine) == [
                .method(
                    channel: 0, .connectionTuneOk(channelMax: agreed.channelMax, frameMax: agreed.frameMax, heartbeat: agreed.heartbeat)),
                .method(channel: 0, .connectionOpen(virtualHost: "/jobs")),
            ])
        #expect(machine.receive(Self.frames(.method(channel: 0, .connectionOpenOk)), now: t0) == [.opened(agreed)])
        #expect(machine.isOpen)
        return machine
    }

    @Test func handshakeWithPlainAndTuneNegotiation() throws {
        _ = try openMachine()
    }

    @Test(arguments: [
        (
            AMQPTuning(channelMax: 0, frameMax: 0, heartbeat: 0), AMQPTuning(channelMax: 2047, frameMax: 131_072, heartbeat: 60),
            AMQPTuning(channelMax: 2047, frameMax: 131_072, heartbeat: 60)
        ),
        (
            AMQPTuning(channelMax: 10, frameMax: 8192, heartbeat: 5), AMQPTuning(channelMax: 2047, frameMax: 131_072, heartbeat: 60),
            AMQPTuning(channelMax: 10, frameMax: 8192, heartbeat: 5)
        ),
        (
            AMQPTuning(channelMax: 2047, frameMax: 1_048_576, heartbeat: 600), AMQPTuning(channelMax: 0, frameMax: 0, heartbeat: 0),
            AMQPTuning(channelMax: 2047, frameMax: 1_048_576, heartbeat: 600)
        ),
        (
            AMQPTuning(channelMax: 1, frameMax: 100, heartbeat: 1), AMQPTuning(channelMax: 5, frameMax: 200, heartbeat: 2),
            AMQPTuning(channelMax: 1, frameMax: 4096, heartbeat: 1)
        ),
    ])
    func tuneTakesTheSmallerNonZero(_ client: AMQPTuning, _ server: AMQPTuning, _ expected: AMQPTuning) {
        #expect(AMQPTuning.negotiate(client: client, server: server) == expected)
    }

    @Test func assemblesContentSplitOverBodyFramesAndInterleavedChannels() throws {
        var machine = try openMachine()
        let deliver = AMQPMethod.basicDeliver(consumerTag: "c", deliveryTag: 7, redelivered: true, exchange: "taskiq", routingKey: "taskiq")
        let properties = AMQPProperties(headers: ["x-delivery-count": .int64(1)], deliveryMode: 2)
        var events = machine.receive(
            Self.frames(
                .method(channel: 1, deliver),
                .header(channel: 1, AMQPContentHeader(bodySize: 6, properties: properties)),
                .body(channel: 1, Array("ab".utf8)),
                .method(channel: 2, .basicAck(deliveryTag: 1, multiple: false)),
                .body(channel: 1, Array("cd".utf8))), now: t0)
        #expect(events == [.method(channel: 2, .basicAck(deliveryTag: 1, multiple: false))])
        events = machine.receive(Self.frames(.body(channel: 1, Array("ef".utf8))), now: t0)
        #expect(events == [.content(channel: 1, AMQPContent(method: deliver, properties: properties, body: Array("abcdef".utf8)))])
    }

    @Test func emptyBodyCompletesAtTheHeader() throws {
        var machine = try openMachine()
        let returned = AMQPMethod.basicReturn(replyCode: 312, replyText: "NO_ROUTE", exchange: "taskiq", routingKey: "")
        let events = machine.receive(
            Self.frames(
                .method(channel: 1, returned),
                .header(channel: 1, AMQPContentHeader(bodySize: 0, properties: AMQPProperties()))), now: t0)
        #expect(events == [.content(channel: 1, AMQPContent(method: returned, properties: AMQPProperties(), body: []))])
    }

    @Test func contentOutOfOrderIsAProtocolViolation() throws {
        var machine = try openMachine()
        let events = machine.receive(Self.frames(.body(channel: 1, [1])), now: t0)
        guard case .closed(let error?)? = events.last else {
            Issue.record("expected a close, got \(events)")
            return
        }
        #expect(error.code == .protocolViolation)
        #expect(try Self.sent(&machine).contains { if case .method(0, .connectionClose(let r)) = $0 { r.replyCode == 505 } else { false } })
    }

    @Test func sendSplitsBodiesByTheAgreedFrameMax() throws {
        var machine = try openMachine()
        try machine.send(
            .basicPublish(exchange: "taskiq", routingKey: "taskiq", mandatory: true, immediate: false), channel: 1,
            properties: AMQPProperties(deliveryMode: 2), body: Array(repeating: 7, count: 300_000))
        let frames = try Self.sent(&machine)
        #expect(frames.count == 2 + 3)  // 131 064 + 131 064 + 37 872
        for case .body(_, let piece) in frames { #expect(piece.count <= 131_072 - 8) }
    }

    @Test func serverConnectionCloseBecomesAnErrorWithItsCode() throws {
        var machine = AMQPConnectionMachine(options: AMQPConnectionOptions(password: "wrong"), now: t0)
        machine.start(now: t0)
        _ = machine.receive(Self.frames(Self.start), now: t0)
        _ = machine.takeOutbound()
        let refused = AMQPCloseReason(replyCode: 403, replyText: "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN")
        let events = machine.receive(Self.frames(.method(channel: 0, .connectionClose(refused))), now: t0)
        guard case .closed(let error?)? = events.first, events.count == 1 else {
            Issue.record("expected one close, got \(events)")
            return
        }
        #expect(error.code == .accessRefused)
        #expect(error.replyCode == 403)
        #expect(error.replyText.hasPrefix("ACCESS_REFUSED"))
        #expect(try Self.sent(&machine) == [.method(channel: 0, .connectionCloseOk)])
        #expect(machine.isClosed)
    }

    @Test func socketClosedDuringLoginMeansRefusedCredentials() {
        var machine = AMQPConnectionMachine(options: AMQPConnectionOptions(), now: t0)
        machine.start(now: t0)
        _ = machine.receive(Self.frames(Self.start), now: t0)
        guard case .closed(let error?)? = machine.connectionLost("end of stream") else {
            Issue.record("expected a close")
            return
        }
        #expect(error.code == .accessRefused)
    }

    @Test func forcedCloseKeepsCode320() throws {
        var machine = try openMachine()
        let events = machine.receive(
            Self.frames(
                .method(
                    channel: 0,
                    .connectionClose(
                        AMQPCloseReason(
                            replyCode: 320, replyText: "CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'")))),
            now: t0)
        guard case .closed(let error?)? = events.first else {
            Issue.record("expected a close, got \(events)")
            return
        }
        #expect(error.code == .connectionClosedByServer)
        #expect(error.replyCode == 320)
    }

    @Test func serverChannelCloseIsAnsweredAndReported() throws {
        var machine = try openMachine()
        let reason = AMQPCloseReason(
            replyCode: 406, replyText: "PRECONDITION_FAILED - inequivalent arg 'x-queue-type'", classID: 50, methodID: 10)
        #expect(machine.receive(Self.frames(.method(channel: 3, .channelClose(reason))), now: t0) == [.channelClosed(channel: 3, reason)])
        #expect(try Self.sent(&machine) == [.method(channel: 3, .channelCloseOk)])
        #expect(machine.isOpen)
    }

    @Test func cleanCloseEndsWithNilAfterCloseOk() throws {
        var machine = try openMachine()
        machine.close()
        #expect(try Self.sent(&machine) == [.method(channel: 0, .connectionClose(.normal("normally closed")))])
        do {
            try machine.send(.basicQos(prefetchSize: 0, prefetchCount: 1, global: false), channel: 1)
            Issue.record("a closing connection accepted a method")
        } catch {
            #expect(error.code == .closedLocally)
        }
        #expect(machine.receive(Self.frames(.method(channel: 0, .connectionCloseOk)), now: t0) == [.closed(nil)])
    }

    @Test func blockedAndUnblockedAreReported() throws {
        var machine = try openMachine()
        #expect(
            machine.receive(
                Self.frames(
                    .method(channel: 0, .connectionBlocked(reason: "low on memory")),
                    .method(channel: 0, .connectionUnblocked)), now: t0) == [.blocked("low on memory"), .unblocked])
    }

    @Test func heartbeatsEveryHalfIntervalAndDeadPeerAfterTwoMissed() throws {
        var machine = try openMachine(heartbeat: 10)
        #expect(machine.tick(now: t0.advanced(by: .seconds(4))).isEmpty)
        #expect(!machine.hasOutbound)
        #expect(machine.tick(now: t0.advanced(by: .seconds(5))).isEmpty)
        #expect(try Self.sent(&machine) == [.heartbeat])
        // The server's heartbeat at 15 s keeps the connection alive past 20 s.
        #expect(machine.receive(Self.frames(.heartbeat), now: t0.advanced(by: .seconds(15))).isEmpty)
        #expect(machine.tick(now: t0.advanced(by: .seconds(34))).isEmpty)
        #expect(machine.isOpen)
        let events = machine.tick(now: t0.advanced(by: .seconds(35)))
        guard case .closed(let error?)? = events.first else {
            Issue.record("expected a heartbeat timeout, got \(events)")
            return
        }
        #expect(error.code == .heartbeatTimeout)
        #expect(machine.isClosed)
    }

    @Test func wrongProtocolVersionIsRefused() {
        var machine = AMQPConnectionMachine(options: AMQPConnectionOptions(), now: t0)
        machine.start(now: t0)
        var decoderInput: [UInt8] = []
        AMQPFrame.method(
            channel: 0,
            .connectionStart(
                versionMajor: 1, versionMinor: 0, serverProperties: [:], mechanisms: Array("PLAIN".utf8),
                locales: [])
        ).encode(into: &decoderInput)
        let events = machine.receive(decoderInput, now: t0)
        guard case .closed(let error?)? = events.first else {
            Issue.record("expected a close, got \(events)")
            return
        }
        #expect(error.code == .unsupportedServer)
    }
}

extension AMQPConnectionMachineTests {
    static func delivery(_ tag: UInt64, on channel: UInt16 = 1) -> [UInt8] {
        frames(
            .method(channel: channel, .basicDeliver(consumerTag: "c", deliveryTag: tag, redelivered: false, exchange: "", routingKey: "q")),
            .header(channel: channel, AMQPContentHeader(bodySize: 1, properties: AMQPProperties())),
            .body(channel: channel, [0x31]))
    }

    @Test func acksWaitForTheWriteAndGoOutAsOneMultipleAck() throws {
        var machine = try openMachine()
        for tag in 1...4 as ClosedRange<UInt64> { _ = machine.receive(Self.delivery(tag), now: t0) }
        for tag in [2, 1, 4] as [UInt64] { try machine.send(.basicAck(deliveryTag: tag, multiple: false), channel: 1) }
        #expect(machine.hasOutbound, "queued acks are something to write")
        #expect(
            try Self.sent(&machine) == [
                .method(channel: 1, .basicAck(deliveryTag: 2, multiple: true)),
                .method(channel: 1, .basicAck(deliveryTag: 4, multiple: false)),
            ])
        #expect(!machine.hasOutbound)
    }

    @Test func anotherMethodOnTheChannelSendsItsAcksFirst() throws {
        var machine = try openMachine()
        for tag in 1...3 as ClosedRange<UInt64> { _ = machine.receive(Self.delivery(tag), now: t0) }
        try machine.send(.basicAck(deliveryTag: 1, multiple: false), channel: 1)
        try machine.send(.basicAck(deliveryTag: 2, multiple: false), channel: 1)
        try machine.send(.basicReject(deliveryTag: 3, requeue: false), channel: 1)
        try machine.send(.channelClose(.normal("bye")), channel: 1)
        #expect(
            try Self.sent(&machine) == [
                .method(channel: 1, .basicAck(deliveryTag: 2, multiple: true)),
                .method(channel: 1, .basicReject(deliveryTag: 3, requeue: false)),
                .method(channel: 1, .channelClose(.normal("bye"))),
            ])
    }

    @Test func acksOfAChannelTheServerClosedAreDropped() throws {
        var machine = try openMachine()
        _ = machine.receive(Self.delivery(1), now: t0)
        try machine.send(.basicAck(deliveryTag: 1, multiple: false), channel: 1)
        let reason = AMQPCloseReason(replyCode: 406, replyText: "PRECONDITION_FAILED")
        #expect(machine.receive(Self.frames(.method(channel: 1, .channelClose(reason))), now: t0) == [.channelClosed(channel: 1, reason)])
        #expect(try Self.sent(&machine) == [.method(channel: 1, .channelCloseOk)], "no ack on a closed channel")
        #expect(!machine.hasOutbound)
    }

    @Test func closingTheConnectionSendsWaitingAcksBeforeTheClose() throws {
        var machine = try openMachine()
        _ = machine.receive(Self.delivery(1, on: 3), now: t0)
        try machine.send(.basicAck(deliveryTag: 1, multiple: false), channel: 3)
        machine.close()
        #expect(
            try Self.sent(&machine) == [
                .method(channel: 3, .basicAck(deliveryTag: 1, multiple: false)),
                .method(channel: 0, .connectionClose(.normal("normally closed"))),
            ])
    }
}
