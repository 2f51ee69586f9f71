/// The AMQP 0-9-1 connection as a pure state machine: fed received bytes and the time, it
/// returns events and queues the bytes to send; sockets live outside it.
///
/// It does the handshake (protocol header, PLAIN, Tune negotiation, Connection.Open), assembles
/// content (method, header, body frames) per channel, keeps heartbeat time (a heartbeat sent every
/// half interval, the peer dead after two silent intervals), and turns the server's
/// Connection.Close and Channel.Close into errors carrying the reply code and text, answering
/// them with CloseOk as the protocol requires.
package struct AMQPConnectionMachine: Sendable {
    private enum State: Sendable {
        case idle, awaitingStart, awaitingTune, awaitingOpenOk, open, closing, closed
    }

    private struct PartialContent: Sendable {
        var method: AMQPMethod
        var header: AMQPContentHeader?
        var body: [UInt8] = []
    }

    /// What the client asked for.
    package let options: AMQPConnectionOptions
    /// The agreed limits, once Tune arrived.
    package private(set) var tuning: AMQPTuning?
    private var state = State.idle
    private var decoder = AMQPFrameDecoder()
    private var outbound: [UInt8] = []
    private var partial: [UInt16: PartialContent] = [:]
    /// Each channel's acks, held until ``takeOutbound()`` to go out together.
    private var acks: [UInt16: AMQPAckCoalescer] = [:]
    /// The channels whose coalescer holds acks, so that a write visits only those.
    private var channelsWithAcks: [UInt16] = []
    private var lastReceived: ContinuousClock.Instant
    private var lastHeartbeatSent: ContinuousClock.Instant

    /// A machine that has not sent anything yet; call ``start(now:)``.
    package init(options: AMQPConnectionOptions, now: ContinuousClock.Instant = .now) {
        self.options = options
        self.lastReceived = now
        self.lastHeartbeatSent = now
    }

    /// Whether the handshake finished and no close started.
    package var isOpen: Bool { state == .open }

    /// Whether the connection ended (an error or a completed close).
    package var isClosed: Bool { state == .closed }

    /// The bytes queued for the socket, removed from the machine; acks queued since the last
    /// call are encoded first, coalesced per channel (``AMQPAckCoalescer``).
    package mutating func takeOutbound() -> [UInt8] {
        if state == .open || state == .closing { encodeAllQueuedAcks() }
        defer { outbound.removeAll(keepingCapacity: true) }
        return outbound
    }

    /// Whether bytes are waiting for ``takeOutbound()``.
    package var hasOutbound: Bool { !outbound.isEmpty || !channelsWithAcks.isEmpty }

    /// Queues the protocol header that starts the handshake.
    package mutating func start(now: ContinuousClock.Instant) {
        guard state == .idle else { return }
        outbound += AMQPFrame.protocolHeader
        lastReceived = now
        state = .awaitingStart
    }

    /// Queues a method on `channel`.
    ///
    /// A plain `Basic.Ack` waits for ``takeOutbound()`` and may go out as part of one with
    /// `multiple`; every other method on the channel sends its waiting acks first, so the
    /// channel's frames keep their order.
    /// - Throws: ``AMQPConnectionError`` `closedLocally` once the connection is closing or closed.
    package mutating func send(_ method: AMQPMethod, channel: UInt16) throws(AMQPConnectionError) {
        try checkWritable()
        if case .basicAck(let tag, false) = method {
            if acks[channel]?.hasQueued != true { channelsWithAcks.append(channel) }
            acks[channel, default: AMQPAckCoalescer()].queue(tag)
            return
        }
        encodeQueuedAcks(channel)
        AMQPFrame.method(channel: channel, method).encode(into: &outbound)
        switch method {
        case .basicAck(let tag, let multiple), .basicNack(let tag, let multiple, _):
            acks[channel]?.settled(tag, multiple: multiple)
        case .basicReject(let tag, _):
            acks[channel]?.settled(tag, multiple: false)
        case .basicConsume(_, let consumerTag, _, let noAck, _, _, _):
            acks[channel, default: AMQPAckCoalescer()].consumerStarted(consumerTag, noAck: noAck)
        case .channelOpen, .channelClose:
            // A channel's delivery tags start again from 1 when it is opened again.
            acks[channel] = nil
        default:
            break
        }
    }

    /// Encodes the acks `channel` holds, if any.
    private mutating func encodeQueuedAcks(_ channel: UInt16) {
        guard let index = channelsWithAcks.firstIndex(of: channel) else { return }
        channelsWithAcks.remove(at: index)
        encodeDrainedAcks(channel)
    }

    /// Encodes the acks every channel holds.
    private mutating func encodeAllQueuedAcks() {
        while let channel = channelsWithAcks.popLast() { encodeDrainedAcks(channel) }
    }

    private mutating func encodeDrainedAcks(_ channel: UInt16) {
        guard let drained = acks[channel]?.drain() else { return }
        for ack in drained {
            AMQPFrame.method(channel: channel, .basicAck(deliveryTag: ack.deliveryTag, multiple: ack.multiple)).encode(into: &outbound)
        }
    }

    /// Queues a method with content, the body split by the agreed frame_max.
    package mutating func send(_ method: AMQPMethod, channel: UInt16, properties: AMQPProperties, body: [UInt8]) throws(AMQPConnectionError)
    {
        try checkWritable()
        encodeQueuedAcks(channel)
        AMQPFrame.encodeContent(
            channel: channel, method: method, properties: properties, body: body,
            frameMax: tuning?.frameMax ?? AMQPFrame.minimumFrameMax, into: &outbound)
    }

    private func checkWritable() throws(AMQPConnectionError) {
        guard state == .open else {
            throw AMQPConnectionError(.closedLocally, message: state == .closed ? "the connection is closed" : "the connection is not open")
        }
    }

    /// Starts a clean close: queues Connection.Close; ``AMQPConnectionEvent/closed(_:)`` with
    /// `nil` follows when the server's CloseOk arrives.
    package mutating func close(_ reason: AMQPCloseReason = .normal("normally closed")) {
        switch state {
        case .open:
            encodeAllQueuedAcks()
            AMQPFrame.method(channel: 0, .connectionClose(reason)).encode(into: &outbound)
            state = .closing
        case .closing, .closed: break
        case .idle, .awaitingStart, .awaitingTune, .awaitingOpenOk:
            state = .closed
        }
    }

    /// Feeds bytes the server sent and returns what they mean.
    package mutating func receive<Bytes: Sequence>(_ bytes: Bytes, now: ContinuousClock.Instant) -> [AMQPConnectionEvent]
    where Bytes.Element == UInt8 {
        guard state != .closed else { return [] }
        lastReceived = now
        decoder.append(bytes)
        var events: [AMQPConnectionEvent] = []
        do throws(AMQPProtocolError) {
            while state != .closed, let frame = try decoder.next() {
                try handle(frame, events: &events)
            }
        } catch {
            events.append(
                fail(
                    replyCode: error.code == .frameTooLarge || error.code == .missingFrameEnd ? 501 : 505,
                    AMQPConnectionError(
                        error.code == .unsupportedProtocol ? .unsupportedServer : .protocolViolation,
                        message: "the server sent invalid AMQP: \(error)")))
        }
        return events
    }

    /// Advances heartbeat time: queues a heartbeat every half interval and reports a dead peer
    /// after two intervals without a byte from it.
    package mutating func tick(now: ContinuousClock.Instant) -> [AMQPConnectionEvent] {
        guard state == .open || state == .closing, let heartbeat = tuning?.heartbeat, heartbeat > 0 else { return [] }
        let interval = Duration.seconds(Int(heartbeat))
        if lastReceived.duration(to: now) >= interval * 2 {
            state = .closed
            return [
                .closed(
                    AMQPConnectionError(
                        .heartbeatTimeout,
                        message: "nothing arrived from the server for two heartbeat intervals (\(interval * 2))"))
            ]
        }
        if lastHeartbeatSent.duration(to: now) >= interval / 2 {
            AMQPFrame.heartbeat.encode(into: &outbound)
            lastHeartbeatSent = now
        }
        return []
    }

    /// When ``tick(now:)`` next has something to do, or `nil` without heartbeats.
    package var nextTick: ContinuousClock.Instant? {
        guard let heartbeat = tuning?.heartbeat, heartbeat > 0 else { return nil }
        let interval = Duration.seconds(Int(heartbeat))
        return min(lastHeartbeatSent.advanced(by: interval / 2), lastReceived.advanced(by: interval * 2))
    }

    /// The socket ended (read 0 bytes or failed): the terminal event, worded for the state it
    /// ended in — during login RabbitMQ closes the socket on bad credentials.
    package mutating func connectionLost(_ reason: String) -> AMQPConnectionEvent? {
        let previous = state
        guard previous != .closed else { return nil }
        state = .closed
        switch previous {
        case .closing:
            return .closed(nil)
        case .awaitingTune:
            return .closed(
                AMQPConnectionError(
                    .accessRefused,
                    message: "the server closed the connection after the login was sent (\(reason)); the user or password is probably wrong"
                ))
        default:
            return .closed(AMQPConnectionError(.connectionLost, message: "the connection to the server was lost: \(reason)"))
        }
    }

    private mutating func fail(replyCode: UInt16, _ error: AMQPConnectionError) -> AMQPConnectionEvent {
        if state == .open || state == .closing {
            AMQPFrame.method(
                channel: 0, .connectionClose(AMQPCloseReason(replyCode: replyCode, replyText: String(error.message.prefix(200))))
            ).encode(into: &outbound)
        }
        state = .closed
        return .closed(error)
    }

    private mutating func handle(_ frame: AMQPFrame, events: inout [AMQPConnectionEvent]) throws(AMQPProtocolError) {
        switch frame {
        case .heartbeat:
            return
        case .method(0, let method):
            try handleConnection(method, events: &events)
        case .method(let channel, let method):
            guard state == .open || state == .closing else {
                throw AMQPProtocolError(.unexpectedFrame, offset: 0, "\(method.name) on channel \(channel) before the connection was open")
            }
            guard partial[channel] == nil else {
                throw AMQPProtocolError(
                    .unexpectedFrame, offset: 0, "\(method.name) on channel \(channel) in the middle of a message's content")
            }
            if method.hasContent {
                partial[channel] = PartialContent(method: method)
            } else if case .channelClose(let reason) = method {
                partial[channel] = nil
                // Its deliveries went back to their queues: acks for them would be refused.
                acks[channel] = nil
                channelsWithAcks.removeAll { $0 == channel }
                AMQPFrame.method(channel: channel, .channelCloseOk).encode(into: &outbound)
                events.append(.channelClosed(channel: channel, reason))
            } else {
                events.append(.method(channel: channel, method))
            }
        case .header(let channel, let header):
            guard var content = partial[channel], content.header == nil else {
                throw AMQPProtocolError(
                    .unexpectedFrame, offset: 0, "a content header on channel \(channel) without a method that carries content")
            }
            guard header.bodySize <= options.maxBodySize else {
                throw AMQPProtocolError(
                    .invalidValue, offset: 0, "a body of \(header.bodySize) bytes exceeds the limit of \(options.maxBodySize)")
            }
            content.header = header
            content.body.reserveCapacity(Int(header.bodySize))
            partial[channel] = content
            finishIfComplete(channel, events: &events)
        case .body(let channel, let bytes):
            guard var content = partial[channel], let header = content.header else {
                throw AMQPProtocolError(.unexpectedFrame, offset: 0, "a body frame on channel \(channel) without a content header")
            }
            guard UInt64(content.body.count + bytes.count) <= header.bodySize else {
                throw AMQPProtocolError(
                    .unexpectedFrame, offset: 0,
                    "body frames on channel \(channel) carry more than the \(header.bodySize) bytes announced")
            }
            partial[channel] = nil  // avoids copying the body on append
            content.body += bytes
            partial[channel] = content
            finishIfComplete(channel, events: &events)
        }
    }

    private mutating func finishIfComplete(_ channel: UInt16, events: inout [AMQPConnectionEvent]) {
        guard let content = partial[channel], let header = content.header, UInt64(content.body.count) == header.bodySize else { return }
        partial[channel] = nil
        if case .basicDeliver(let consumer, let tag, _, _, _) = content.method {
            acks[channel, default: AMQPAckCoalescer()].delivered(tag, consumer: consumer)
        }
        events.append(.content(channel: channel, AMQPContent(method: content.method, properties: header.properties, body: content.body)))
    }

    private mutating func handleConnection(_ method: AMQPMethod, events: inout [AMQPConnectionEvent]) throws(AMQPProtocolError) {
        switch (state, method) {
        case (_, .connectionClose(let reason)):
            AMQPFrame.method(channel: 0, .connectionCloseOk).encode(into: &outbound)
            let wasClosing = state == .closing
            state = .closed
            let code: AMQPConnectionError.Code = reason.replyCode == 403 ? .accessRefused : .connectionClosedByServer
            events.append(
                .closed(
                    wasClosing && reason.replyCode == 200
                        ? nil
                        : AMQPConnectionError(code, reason: reason, message: "the server closed the connection")))
        case (.closing, .connectionCloseOk):
            state = .closed
            events.append(.closed(nil))
        case (.awaitingStart, .connectionStart(let major, let minor, _, let mechanisms, _)):
            guard major == 0, minor == 9 else {
                events.append(
                    fail(
                        replyCode: 540,
                        AMQPConnectionError(.unsupportedServer, message: "the server speaks AMQP \(major)-\(minor), not 0-9-1")))
                return
            }
            let offered = String(decoding: mechanisms, as: UTF8.self).split(separator: " ")
            guard offered.contains("PLAIN") else {
                events.append(
                    fail(
                        replyCode: 540,
                        AMQPConnectionError(
                            .unsupportedServer, message: "the server offers the mechanisms \(offered.joined(separator: ", ")) but not PLAIN"
                        )))
                return
            }
            var properties = options.clientProperties
            properties["capabilities"] = .table([
                "authentication_failure_close": .bool(true), "basic.nack": .bool(true), "connection.blocked": .bool(true),
                "consumer_cancel_notify": .bool(true), "publisher_confirms": .bool(true),
            ])
            let response = [0] + Array(options.user.utf8) + [0] + Array(options.password.utf8)
            AMQPFrame.method(
                channel: 0,
                .connectionStartOk(
                    clientProperties: properties, mechanism: "PLAIN", response: response,
                    locale: "en_US")
            ).encode(into: &outbound)
            state = .awaitingTune
        case (.awaitingTune, .connectionTune(let channelMax, let frameMax, let heartbeat)):
            let agreed = AMQPTuning.negotiate(
                client: options.tuning,
                server: AMQPTuning(channelMax: channelMax, frameMax: frameMax, heartbeat: heartbeat))
            tuning = agreed
            decoder.frameMax = agreed.frameMax
            AMQPFrame.method(
                channel: 0,
                .connectionTuneOk(
                    channelMax: agreed.channelMax, frameMax: agreed.frameMax,
                    heartbeat: agreed.heartbeat)
            ).encode(into: &outbound)
            AMQPFrame.method(channel: 0, .connectionOpen(virtualHost: options.virtualHost)).encode(into: &outbound)
            state = .awaitingOpenOk
        case (.awaitingOpenOk, .connectionOpenOk):
            state = .open
            events.append(.opened(tuning ?? options.tuning))
        case (.open, .connectionBlocked(let reason)), (.closing, .connectionBlocked(let reason)):
            events.append(.blocked(reason))
        case (.open, .connectionUnblocked), (.closing, .connectionUnblocked):
            events.append(.unblocked)
        default:
            throw AMQPProtocolError(.unexpectedFrame, offset: 0, "\(method.name) on channel 0 is not expected \(stateName)")
        }
    }

    private var stateName: String {
        switch state {
        case .idle: "before the handshake"
        case .awaitingStart: "while waiting for Connection.Start"
        case .awaitingTune: "while waiting for Connection.Tune"
        case .awaitingOpenOk: "while waiting for Connection.OpenOk"
        case .open: "on an open connection"
        case .closing: "while closing"
        case .closed: "after the connection closed"
        }
    }
}
