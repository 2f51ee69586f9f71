import TaskiqRabbitMQ
import Testing

@Suite struct AMQPFrameCodecTests {
    @Test(arguments: capturedFrames)
    func decodesCapturedFrame(_ captured: CapturedFrame) throws {
        var decoder = AMQPFrameDecoder()
        decoder.append(captured.bytes)
        #expect(try decoder.next() == captured.frame)
        #expect(try decoder.next() == nil)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test(arguments: capturedFrames)
    func reencodesCapturedFrameByteForByte(_ captured: CapturedFrame) {
        #expect(captured.frame.encoded == captured.bytes)
    }

    @Test(arguments: capturedFrames)
    func everyPrefixAsksForMoreBytes(_ captured: CapturedFrame) throws {
        for length in 0..<captured.bytes.count {
            var decoder = AMQPFrameDecoder()
            decoder.append(captured.bytes.prefix(length))
            #expect(try decoder.next() == nil, "prefix of \(length) bytes")
        }
    }

    @Test func decodesFramesFedOneByteAtATime() throws {
        let stream = capturedFrames.flatMap(\.bytes)
        var decoder = AMQPFrameDecoder()
        var frames: [AMQPFrame] = []
        for byte in stream {
            decoder.append([byte])
            while let frame = try decoder.next() { frames.append(frame) }
        }
        #expect(frames == capturedFrames.map(\.frame))
    }

    @Test func protocolHeaderIsAMQP0091() {
        #expect(AMQPFrame.protocolHeader == hex("41 4D 51 50 00 00 09 01"))
    }

    @Test func serverProtocolHeaderIsAnError() {
        var decoder = AMQPFrameDecoder()
        decoder.append(hex("41 4D 51 50 00 00 09 01"))
        #expect(throws: AMQPProtocolError.self) { try decoder.next() }
    }

    @Test func methodsRoundTrip() throws {
        let methods: [AMQPMethod] = [
            .connectionStart(
                versionMajor: 0, versionMinor: 9,
                serverProperties: [
                    "product": .string("RabbitMQ"),
                    "capabilities": .table(["publisher_confirms": .bool(true)]),
                ],
                mechanisms: Array("AMQPLAIN PLAIN".utf8), locales: Array("en_US".utf8)),
            .connectionStartOk(
                clientProperties: ["product": .string("taskiq-swift")], mechanism: "PLAIN",
                response: [0] + Array("guest".utf8) + [0] + Array("guest".utf8), locale: "en_US"),
            .connectionTune(channelMax: 2047, frameMax: 131_072, heartbeat: 60),
            .connectionTuneOk(channelMax: 2047, frameMax: 131_072, heartbeat: 60),
            .connectionOpenOk, .connectionCloseOk, .connectionBlocked(reason: "low on memory"), .connectionUnblocked,
            .channelOpenOk(reserved: []), .channelCloseOk, .exchangeDeclareOk, .queueBindOk, .basicQosOk, .confirmSelectOk,
            .channelClose(AMQPCloseReason(replyCode: 406, replyText: "PRECONDITION_FAILED - inequivalent arg", classID: 50, methodID: 10)),
            .queueDeclareOk(queue: "taskiq", messageCount: 7, consumerCount: 1),
            .basicConsume(
                queue: "taskiq", consumerTag: "ctag1.x", noLocal: false, noAck: true, exclusive: true, noWait: false,
                arguments: ["x-priority": .int32(5)]),
            .basicConsumeOk(consumerTag: "amq.ctag-1"), .basicCancel(consumerTag: "c", noWait: true), .basicCancelOk(consumerTag: "c"),
            .basicDeliver(consumerTag: "c", deliveryTag: .max, redelivered: true, exchange: "taskiq", routingKey: "taskiq"),
            .basicAck(deliveryTag: 42, multiple: true), .basicReject(deliveryTag: 3, requeue: false),
            .basicNack(deliveryTag: 9, multiple: true, requeue: false), .basicNack(deliveryTag: 9, multiple: false, requeue: true),
            .exchangeDeclare(
                exchange: "x", type: "direct", passive: true, durable: false, autoDelete: true, internal: true,
                noWait: true, arguments: ["x-delayed-type": .string("direct")]),
        ]
        for method in methods {
            let bytes = AMQPFrame.method(channel: 3, method).encoded
            var decoder = AMQPFrameDecoder()
            decoder.append(bytes)
            #expect(try decoder.next() == .method(channel: 3, method), "\(method.name)")
        }
    }

    @Test func allPropertiesRoundTrip() throws {
        var properties = AMQPProperties(headers: ["a": .int64(1)], deliveryMode: 2, priority: 9, messageID: "m", expiration: "3000")
        properties.contentType = "application/json"
        properties.contentEncoding = "utf-8"
        properties.correlationID = "c"
        properties.replyTo = "r"
        properties.timestamp = 1_764_892_800
        properties.type = "t"
        properties.userID = "guest"
        properties.appID = "taskiq"
        properties.clusterID = "k"
        #expect(properties.flags == 0xFFFC)
        let frame = AMQPFrame.header(channel: 1, AMQPContentHeader(bodySize: 5, properties: properties))
        var decoder = AMQPFrameDecoder()
        decoder.append(frame.encoded)
        #expect(try decoder.next() == frame)
    }

    @Test func contentIsSplitByFrameMax() throws {
        let body = (0..<10_000).map { UInt8(truncatingIfNeeded: $0) }
        var bytes: [UInt8] = []
        AMQPFrame.encodeContent(
            channel: 1, method: .basicPublish(exchange: "", routingKey: "q", mandatory: false, immediate: false),
            properties: AMQPProperties(), body: body, frameMax: 4096, into: &bytes)
        var decoder = AMQPFrameDecoder(frameMax: 4096)
        decoder.append(bytes)
        var frames: [AMQPFrame] = []
        while let frame = try decoder.next() { frames.append(frame) }
        #expect(frames.count == 2 + 3)  // 10 000 = 4088 + 4088 + 1824
        var received: [UInt8] = []
        for case .body(_, let piece) in frames {
            #expect(piece.count <= 4088)
            received += piece
        }
        #expect(received == body)
        #expect(frames[1] == .header(channel: 1, AMQPContentHeader(bodySize: 10_000, properties: AMQPProperties())))
    }

    @Test func emptyBodyHasNoBodyFrame() throws {
        var bytes: [UInt8] = []
        AMQPFrame.encodeContent(
            channel: 1, method: .basicPublish(exchange: "", routingKey: "q", mandatory: false, immediate: false),
            properties: AMQPProperties(), body: [], frameMax: 4096, into: &bytes)
        var decoder = AMQPFrameDecoder()
        decoder.append(bytes)
        var count = 0
        while try decoder.next() != nil { count += 1 }
        #expect(count == 2)
    }
}
