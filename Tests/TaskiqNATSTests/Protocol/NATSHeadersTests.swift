import TaskiqNATS
import Testing

@Suite struct NATSHeadersTests {
    static let labels = "NATS/1.0\r\npriority: 5\r\ncustom: hello\r\n\r\n"

    @Test func taskiqLabelsEncodeAsNatsPyWritesThem() throws {
        var headers = NATSHeaders()
        headers.append(name: "priority", value: "5")
        headers.append(name: "custom", value: "hello")
        try headers.validate()
        #expect(headers.encoded() == Array(Self.labels.utf8))
        #expect(headers.encoded().count == 40)
        #expect(headers.encodedCount == 40)
    }

    @Test func anEmptyBlockIsTwelveBytes() {
        #expect(NATSHeaders().encoded() == Array("NATS/1.0\r\n\r\n".utf8))
        #expect(NATSHeaders().encodedCount == 12)
    }

    @Test func statusLinesEncode() {
        #expect(NATSHeaders(status: 503).encoded() == Array("NATS/1.0 503\r\n\r\n".utf8))
        let timeout = NATSHeaders(
            status: 408, statusDescription: "Request Timeout",
            fields: [NATSHeaderField(name: "Nats-Pending-Messages", value: "1")])
        let text = "NATS/1.0 408 Request Timeout\r\nNats-Pending-Messages: 1\r\n\r\n"
        #expect(timeout.encoded() == Array(text.utf8))
        #expect(timeout.encodedCount == text.utf8.count)
    }

    @Test(
        arguments: [
            ("NATS/1.0\r\n\r\n", nil, "", 0),
            ("NATS/1.0 503\r\n\r\n", 503, "", 0),
            ("NATS/1.0 404 No Messages\r\n\r\n", 404, "No Messages", 0),
            ("NATS/1.0   100   Idle Heartbeat  \r\n\r\n", 100, "Idle Heartbeat", 0),
            ("NATS/1.0 408 Request Timeout\r\nNats-Pending-Messages: 1\r\nNats-Pending-Bytes: 0\r\n\r\n", 408, "Request Timeout", 2),
            ("NATS/1.0\nprice:\t 5 \n\n", nil, "", 1),
            ("NATS/1.0\r\na: 1\r\n", nil, "", 1),
        ] as [(String, Int?, String, Int)])
    func blocksParse(_ text: String, _ status: Int?, _ description: String, _ fieldCount: Int) throws {
        let headers = try NATSHeaders(parsing: Array(text.utf8))
        #expect(headers.status == status)
        #expect(headers.statusDescription == description)
        #expect(headers.fields.count == fieldCount)
        #expect(try NATSHeaders(parsing: headers.encoded()) == headers)
    }

    @Test func valuesLoseTheirBlanksAndKeepColons() throws {
        let headers = try NATSHeaders(parsing: Array("NATS/1.0\r\nurl:  http://x:1/  \r\nempty:\r\n\r\n".utf8))
        #expect(headers.fields == [NATSHeaderField(name: "url", value: "http://x:1/"), NATSHeaderField(name: "empty", value: "")])
    }

    @Test func lookupPrefersAnExactNameThenIgnoresCase() {
        let headers = NATSHeaders(fields: [
            NATSHeaderField(name: "KEY", value: "upper"),
            NATSHeaderField(name: "key", value: "lower"),
            NATSHeaderField(name: "key", value: "second"),
        ])
        #expect(headers["key"] == "lower")
        #expect(headers["KEY"] == "upper")
        #expect(headers["Key"] == "upper")
        #expect(headers["missing"] == nil)
    }

    @Test(arguments: [
        "",
        "HTTP/1.1 200 OK\r\n\r\n",
        "NATS/1.0x\r\n\r\n",
        "NATS/2.0\r\n\r\n",
        "nats/1.0\r\n\r\n",
        "NATS/1.0 5031\r\n\r\n",
        "NATS/1.0 50\r\n\r\n",
        "NATS/1.0 099 Low\r\n\r\n",
        "NATS/1.0 abc\r\n\r\n",
        "NATS/1.0\r\nno colon here\r\n\r\n",
        "NATS/1.0\r\n: empty name\r\n\r\n",
        "NATS/1.0\r\nbad name: x\r\n\r\n",
        "NATS/1.0\r\na: 1\r\n folded\r\n\r\n",
        "NATS/1.0\r\n\r\nafter: the end\r\n",
    ])
    func badBlocksAreRefused(_ text: String) {
        let error = #expect(throws: NATSProtocolError.self) { try NATSHeaders(parsing: Array(text.utf8)) }
        #expect(error?.code == .invalidHeader, "\(text.debugDescription)")
    }

    @Test(arguments: [
        NATSHeaders(status: 42),
        NATSHeaders(status: 1000),
        NATSHeaders(statusDescription: "no status"),
        NATSHeaders(status: 408, statusDescription: "two\r\nlines"),
        NATSHeaders(fields: [NATSHeaderField(name: "", value: "x")]),
        NATSHeaders(fields: [NATSHeaderField(name: "a b", value: "x")]),
        NATSHeaders(fields: [NATSHeaderField(name: "a:b", value: "x")]),
        NATSHeaders(fields: [NATSHeaderField(name: "a\u{7F}", value: "x")]),
        NATSHeaders(fields: [NATSHeaderField(name: "a", value: "x\ny")]),
        NATSHeaders(fields: [NATSHeaderField(name: "a", value: "x\r")]),
    ])
    func unencodableBlocksFailValidation(_ headers: NATSHeaders) {
        let error = #expect(throws: NATSProtocolError.self) { try headers.validate() }
        #expect(error?.code == .invalidHeader)
    }

    @Test func validBlocksPassValidation() throws {
        try NATSHeaders(status: 100, statusDescription: "Idle Heartbeat").validate()
        try NATSHeaders(fields: [NATSHeaderField(name: "Nats-Msg-Id", value: "café: ünïcode")]).validate()
    }
}
