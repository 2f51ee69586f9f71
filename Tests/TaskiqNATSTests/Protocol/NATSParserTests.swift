import TaskiqNATS
import Testing

@Suite struct NATSParserTests {
    typealias Lines = CapturedNATSLines

    @Test func infoFromTheServer() throws {
        let operations = Lines.parse(Lines.bytes(Lines.info), chunk: 4096)
        #expect(operations.error == nil)
        guard case .info(let info) = try #require(operations.operations.first) else {
            Issue.record("expected INFO, got \(operations.operations)")
            return
        }
        #expect(info.version == "2.9.10")
        #expect(info.headers && info.jetstream)
        #expect(info.maxPayload == 1_048_576)
        #expect(info.clientID == 5)
    }

    @Test func pubAckWithADoubleSpaceBeforeTheSize() throws {
        let result = Lines.parse(Lines.bytes(Lines.pubAck), chunk: 1000)
        #expect(result.error == nil)
        let expected = NATSMessage(
            subject: "_INBOX.7Yd2bYI5yIcO8Xyqm5O6Ie.tK4fFLZf", sid: 1, replyTo: nil, headers: nil,
            payload: Lines.bytes(#"{"stream":"taskiq_jetstream", "seq":1}"#))
        #expect(result.operations == [.message(expected)])
    }

    @Test func jetStreamDeliveryWithAnEmptyHeaderBlockAndAnAckSubject() throws {
        let result = Lines.parse(Lines.bytes(Lines.delivery), chunk: 1000)
        let expected = NATSMessage(
            subject: "taskiq_tasks", sid: 2,
            replyTo: "$JS.ACK.taskiq_jetstream.taskiq_durable.1.1.1.1796393326933400598.0",
            headers: NATSHeaders(), payload: Lines.bytes(Lines.taskJSON))
        #expect(result.operations == [.message(expected)])
        #expect(result.error == nil)
    }

    @Test func statusMessages() throws {
        let result = Lines.parse(Lines.bytes(Lines.noMessages + Lines.requestTimeout + Lines.noResponders), chunk: 1000)
        #expect(result.error == nil)
        let messages = result.operations.compactMap { operation -> NATSMessage? in
            if case .message(let message) = operation { message } else { nil }
        }
        try #require(messages.count == 3)
        #expect(messages[0].headers == NATSHeaders(status: 404, statusDescription: "No Messages"))
        #expect(messages[0].subject == "_INBOX.wf.pull" && messages[0].replyTo == nil && messages[0].payload.isEmpty)
        let timeout = try #require(messages[1].headers)
        #expect(timeout.status == 408)
        #expect(timeout.statusDescription == "Request Timeout")
        #expect(timeout["Nats-Pending-Messages"] == "1")
        #expect(timeout["nats-pending-bytes"] == "0")
        #expect(messages[2].headers == NATSHeaders(status: 503))
        #expect(messages[2].sid == 1)
    }

    @Test func keepalivesAcknowledgementsAndErrors() {
        let result = Lines.parse(
            Lines.bytes("PING\r\nPONG\r\n+OK\r\n-ERR 'Invalid Subject'\r\n-ERR 'Authorization Violation'\r\n-ERR\r\n"), chunk: 100)
        #expect(result.operations == [.ping, .pong, .ok, .error("Invalid Subject"), .error("Authorization Violation"), .error("")])
        #expect(result.error == nil)
    }

    @Test func verbsIgnoreCaseLinesMayEndWithLFAndArgumentsWithTabs() {
        let result = Lines.parse(
            Lines.bytes("ping\npOnG\r\n+ok\r\nmsg\tfoo.bar  \t9\tinbox.1 3 \r\nabc\r\nHmsg a 1 12 12\nNATS/1.0\r\n\r\n\r\n"), chunk: 100)
        #expect(result.error == nil)
        #expect(
            result.operations == [
                .ping, .pong, .ok,
                .message(NATSMessage(subject: "foo.bar", sid: 9, replyTo: "inbox.1", headers: nil, payload: Array("abc".utf8))),
                .message(NATSMessage(subject: "a", sid: 1, replyTo: nil, headers: NATSHeaders(), payload: [])),
            ])
    }

    @Test func anEmptyMessageAndTheLargestSid() {
        let result = Lines.parse(Lines.bytes("MSG s 18446744073709551615 0\r\n\r\n"), chunk: 100)
        #expect(result.operations == [.message(NATSMessage(subject: "s", sid: .max, replyTo: nil, headers: nil, payload: []))])
    }

    @Test func feedingByteByByteGivesWhatFeedingAtOnceGives() {
        let stream = Lines.bytes(Lines.stream)
        let whole = Lines.parse(stream, chunk: stream.count)
        #expect(whole.error == nil)
        #expect(whole.operations.count == 10)
        for chunk in [1, 2, 3, 7, 13, 64] {
            let split = Lines.parse(stream, chunk: chunk)
            #expect(split.operations == whole.operations, "chunks of \(chunk)")
            #expect(split.error == nil, "chunks of \(chunk)")
        }
    }

    @Test func splittingAtEveryByteGivesTheSameOperations() {
        let stream = Lines.bytes(Lines.stream)
        let whole = Lines.parse(stream, chunk: stream.count).operations
        for cut in 0...stream.count {
            var parser = NATSParser()
            var operations: [NATSServerOperation] = []
            parser.append(stream[..<cut])
            while let operation = try? parser.next() { operations.append(operation) }
            parser.append(stream[cut...])
            while let operation = try? parser.next() { operations.append(operation) }
            #expect(operations == whole, "cut at \(cut)")
        }
    }

    @Test func appendingRawBuffersWorksLikeArrays() throws {
        var parser = NATSParser()
        Lines.bytes(Lines.pubAck).withUnsafeBytes { parser.append($0) }
        guard case .message(let message) = try parser.next() else {
            Issue.record("expected a message")
            return
        }
        #expect(message.payload.count == 38)
        #expect(try parser.next() == nil)
        #expect(parser.bufferedByteCount == 0)
    }

    @Test func aPartialMessageWaitsForItsPayloadAndItsLineEnd() throws {
        var parser = NATSParser()
        parser.append(Lines.bytes("MSG a 1 5\r\nhel"))
        #expect(try parser.next() == nil)
        parser.append(Lines.bytes("lo"))
        #expect(try parser.next() == nil)
        parser.append(Lines.bytes("\r"))
        #expect(try parser.next() == nil)
        parser.append(Lines.bytes("\nPING"))
        #expect(try parser.next() == .message(NATSMessage(subject: "a", sid: 1, replyTo: nil, headers: nil, payload: Array("hello".utf8))))
        #expect(try parser.next() == nil)
        #expect(parser.bufferedByteCount == 4)
    }

    @Test func theBufferIsCompactedAsOperationsAreRead() throws {
        var parser = NATSParser()
        let message = Lines.bytes("MSG taskiq_tasks 1 100\r\n" + String(repeating: "x", count: 100) + "\r\n")
        for _ in 0..<1000 {
            parser.append(message.prefix(50))
            #expect(try parser.next() == nil)
            parser.append(message.dropFirst(50))
            #expect(try parser.next() != nil)
        }
        #expect(parser.bufferedByteCount == 0)
    }

    @Test func controlLineAndPayloadAtTheirLimitsAreAccepted() throws {
        let parser = NATSParser(maxControlLine: 16, maxPayload: 10)
        let line = "MSG abcdefg 1 10"  // 16 bytes
        let result = Lines.parse(Lines.bytes(line + "\r\n0123456789\r\n"), chunk: 1, parser: parser)
        #expect(result.error == nil)
        #expect(result.operations.count == 1)
        let headerResult = Lines.parse(Lines.bytes("HMSG a 1 10 10\r\nNATS/1.0\r\n\r\n"), chunk: 3, parser: parser)
        #expect(headerResult.error == nil)
        #expect(headerResult.operations == [.message(NATSMessage(subject: "a", sid: 1, replyTo: nil, headers: NATSHeaders(), payload: []))])
    }

    @Test func infoMayBeLongerThanOtherControlLines() throws {
        let urls = (0..<300).map { "\"10.0.0.\($0):4222\"" }.joined(separator: ",")
        let line = "INFO {\"connect_urls\":[\(urls)],\"ldm\":true}\r\n"
        #expect(line.utf8.count > 4096)
        for chunk in [1, 100, line.utf8.count] {
            let result = Lines.parse(Lines.bytes(line), chunk: chunk)
            #expect(result.error == nil)
            guard case .info(let info) = result.operations.first else {
                Issue.record("no INFO")
                continue
            }
            #expect(info.connectURLs.count == 300)
            #expect(info.lameDuckMode)
        }
        let small = NATSParser(maxControlLine: 4096, maxInfoLine: 1024)
        #expect(Lines.error(in: line, parser: small)?.code == .controlLineTooLong)
    }
}
