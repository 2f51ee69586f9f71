import TaskiqRabbitMQ
import Testing

@Suite struct AMQPFrameDecoderErrorTests {
    @Test(arguments: [
        ("missing frame end", hex("01 0001 00000005 0055000a 00 00"), AMQPProtocolError.Code.missingFrameEnd),
        ("unknown frame type", hex("04 0001 00000000 ce"), .unknownFrameType),
        ("unknown method", hex("01 0001 00000004 0063000a ce"), .unknownMethod),
        ("trailing argument bytes", hex("01 0001 00000006 0055000a 00 00 ce"), .trailingBytes),
        ("short arguments", hex("01 0001 00000006 003c0050 0000 ce"), .truncated),
        ("heartbeat on a channel", hex("08 0001 00000000 ce"), .unexpectedFrame),
        ("property flag bit 0", hex("02 0001 0000000e 003c 0000 0000000000000000 0001 ce"), .invalidValue),
        ("frame over frame_max", hex("03 0001 7fffffff"), .frameTooLarge),
    ])
    func garbageIsAClearError(_ name: String, _ bytes: [UInt8], _ code: AMQPProtocolError.Code) {
        var decoder = AMQPFrameDecoder(frameMax: 4096)
        decoder.append(bytes)
        do {
            _ = try decoder.next()
            Issue.record("\(name) decoded")
        } catch {
            #expect(error.code == code, "\(name): \(error)")
            #expect(!error.message.isEmpty)
            // Errors are sticky: the stream cannot be resynchronised.
            #expect(throws: AMQPProtocolError.self) { try decoder.next() }
        }
    }

    @Test func frameOverFrameMaxIsRefusedBeforeItsPayloadArrives() {
        var decoder = AMQPFrameDecoder(frameMax: 131_072)
        decoder.append(hex("03 0001 00020000"))  // 131 072 + 8 bytes
        #expect(throws: AMQPProtocolError.self) { try decoder.next() }
    }

    @Test func errorNamesWhereAndWhat() {
        var decoder = AMQPFrameDecoder()
        decoder.append(hex("01 0001 00000005 0055000a 00 ce") + hex("01 0001 00000006 003c0050 0000 ce"))
        #expect((try? decoder.next()) != nil)
        do {
            _ = try decoder.next()
        } catch {
            #expect(error.offset >= 13)
            #expect(error.description.contains("delivery_tag"))
        }
    }

    /// Found by fuzzing: the error quoted however many header bytes had arrived, so it differed
    /// between a stream decoded at once and in chunks.
    @Test func protocolHeaderErrorIsTheSameInChunks() {
        let header = hex("41 4D 51 50 00 00 09 01")
        var whole = AMQPFrameDecoder()
        whole.append(header)
        var split = AMQPFrameDecoder()
        split.append(header.prefix(1))
        let first = #expect(throws: AMQPProtocolError.self) { try whole.next() }
        let second = #expect(throws: AMQPProtocolError.self) { try split.next() }
        #expect(first == second)
    }

    /// Found by fuzzing: a bad heartbeat's offset was 1 plus the bytes compacted away, not its
    /// position in the stream.
    @Test func badHeartbeatOffsetIsItsStreamPosition() {
        let stream = hex("01 0001 00000005 0055000a 00 ce") + hex("08 0066 00000000 ce")
        var decoder = AMQPFrameDecoder()
        decoder.append(stream)
        #expect((try? decoder.next()) != nil)
        let error = #expect(throws: AMQPProtocolError.self) { try decoder.next() }
        #expect(error?.offset == 14)
    }
}
