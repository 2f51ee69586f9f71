import TaskiqNATS
import Testing

@Suite struct NATSParserErrorTests {
    typealias Lines = CapturedNATSLines

    @Test(arguments: [
        ("unknown verb", "HELLO world\r\n", NATSProtocolError.Code.malformed),
        ("verb glued to its argument", "PINGX\r\n", .malformed),
        ("empty line", "\r\n", .malformed),
        ("PING with an argument", "PING 1\r\n", .malformed),
        ("MSG with two arguments", "MSG a 1\r\n", .malformed),
        ("MSG with five arguments", "MSG a 1 b c 3\r\n", .malformed),
        ("HMSG with three arguments", "HMSG a 1 12\r\n", .malformed),
        ("HMSG with six arguments", "HMSG a 1 b c 12 12\r\n", .malformed),
        ("negative size", "MSG a 1 -1\r\n", .malformed),
        ("signed size", "MSG a 1 +5\r\nhello\r\n", .malformed),
        ("hexadecimal size", "MSG a 1 0x5\r\nhello\r\n", .malformed),
        ("negative sid", "MSG a -1 0\r\n\r\n", .malformed),
        ("sid over 64 bits", "MSG a 18446744073709551616 0\r\n\r\n", .malformed),
        ("size over Int.max", "MSG a 1 9223372036854775808\r\n", .malformed),
        ("size of 30 digits", "MSG a 1 999999999999999999999999999999\r\n", .malformed),
        ("header size over the total", "HMSG a 1 13 12\r\nNATS/1.0\r\n\r\n\r\n", .malformed),
        ("payload not followed by CRLF", "MSG a 1 3\r\nabcd\r\n", .malformed),
        ("payload followed by a bare LF", "MSG a 1 3\r\nabc\nPING\r\n", .malformed),
        ("payload over the limit", "MSG a 1 1048577\r\n", .payloadTooLarge),
        ("HMSG total over the limit", "HMSG a 1 12 1048577\r\n", .payloadTooLarge),
        ("header block without a version", "HMSG a 1 5 5\r\nHELLO\r\n", .invalidHeader),
        ("empty header block", "HMSG a 1 0 0\r\n\r\n", .invalidHeader),
        ("header line without a colon", "HMSG a 1 21 21\r\nNATS/1.0\r\nnocolon\r\n\r\n\r\n", .invalidHeader),
        ("two-digit status", "HMSG a 1 15 15\r\nNATS/1.0 50\r\n\r\n\r\n", .invalidHeader),
        ("INFO that is not JSON", "INFO {nope}\r\n", .malformed),
        ("INFO that is a JSON array", "INFO [1]\r\n", .malformed),
        ("INFO without JSON", "INFO \r\n", .malformed),
        ("INFO with a string port", #"INFO {"port":"4222"}"# + "\r\n", .malformed),
    ])
    func garbageIsAClearError(_ name: String, _ text: String, _ code: NATSProtocolError.Code) {
        var parser = NATSParser(maxPayload: 1_048_576)
        parser.append(Array(text.utf8))
        do {
            while try parser.next() != nil {}
            Issue.record("\(name) parsed")
        } catch {
            #expect(error.code == code, "\(name): \(error)")
            #expect(!error.message.isEmpty)
            #expect(error.description.contains(error.message))
            // Errors are sticky: the stream cannot be resynchronised.
            parser.append(Array("PING\r\n".utf8))
            let again = #expect(throws: NATSProtocolError.self) { try parser.next() }
            #expect(again == error)
        }
    }

    @Test func aSizeOverTheLimitFailsBeforeThePayloadArrives() {
        var parser = NATSParser(maxPayload: 1024)
        parser.append(Array("MSG a 1 1025\r\n".utf8))
        let error = #expect(throws: NATSProtocolError.self) { try parser.next() }
        #expect(error?.code == .payloadTooLarge)
        #expect(error?.message.contains("1025") == true)
    }

    @Test func aLongLineFailsBeforeItsEndArrives() {
        var parser = NATSParser(maxControlLine: 64)
        parser.append(Array(("MSG " + String(repeating: "a", count: 100)).utf8))
        let error = #expect(throws: NATSProtocolError.self) { try parser.next() }
        #expect(error?.code == .controlLineTooLong)
    }

    @Test func aLongLineFailsTheSameWayWholeAndInPieces() {
        let parser = NATSParser(maxControlLine: 8, maxInfoLine: 8)
        for text in ["PING 1234\r\n", "PING 12345\r\n", "MSG a 1 99999\r\n", "INFO {\"a\":1}\r\n"] {
            let whole = Lines.parse(Array(text.utf8), chunk: 100, parser: parser)
            let bytewise = Lines.parse(Array(text.utf8), chunk: 1, parser: parser)
            #expect(whole.error?.code == .controlLineTooLong, "\(text)")
            #expect(whole.error == bytewise.error, "\(text)")
        }
        // Eight bytes and a CR are not yet too long: the LF may follow.
        var waiting = parser
        waiting.append(Array("PING    \r".utf8))
        #expect(throws: Never.self) { try waiting.next() }
    }

    @Test func operationsBeforeAnErrorAreReturned() {
        let result = Lines.parse(Array("PING\r\nPONG\r\nBOGUS\r\nPING\r\n".utf8), chunk: 3)
        #expect(result.operations == [.ping, .pong])
        #expect(result.error?.code == .malformed)
        #expect(result.error?.message.contains("BOGUS") == true)
    }

    @Test func bytesAppendedAfterAnErrorAreDropped() {
        var parser = NATSParser()
        parser.append(Array("NOPE\r\n".utf8))
        #expect(throws: NATSProtocolError.self) { try parser.next() }
        parser.append([UInt8](repeating: 0x41, count: 10_000))
        #expect(parser.bufferedByteCount == 0)
    }
}
