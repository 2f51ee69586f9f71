import Testing

@testable import Taskiq

/// The request-head parser, byte by byte and against hostile input.
@Suite struct HTTPRequestParserTests {
    @Test func readsAHeadFedOneByteAtATime() {
        var parser = HTTPRequestParser()
        let bytes = Array("GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nAccept:  text/plain \r\n\r\n".utf8)
        for byte in bytes.dropLast() {
            parser.append([byte])
            #expect(parser.next() == .needMoreBytes)
        }
        parser.append([bytes.last!])
        guard case .head(let head) = parser.next() else {
            Issue.record("no head")
            return
        }
        #expect(head.method == "GET")
        #expect(head.path == "/metrics")
        #expect(head.minorVersion == 1)
        #expect(head.header("accept") == "text/plain")
        #expect(head.keepAlive)
        #expect(!parser.hasPartialRequest)
    }

    @Test func keepsPipelinedRequestsApart() {
        var parser = HTTPRequestParser()
        parser.append(Array("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /c HTTP/1.0\r\n\r\n".utf8))
        var paths: [String] = []
        var keepAlive: [Bool] = []
        while case .head(let head) = parser.next() {
            paths.append(head.target)
            keepAlive.append(head.keepAlive)
        }
        #expect(paths == ["/a", "/b", "/c"])
        #expect(keepAlive == [true, true, false])
    }

    @Test(arguments: [
        ("\u{01}\u{02}\u{03}\r\n\r\n", 400),
        ("GET\r\n\r\n", 400),
        ("GET / HTTP/1.1 extra\r\n\r\n", 400),
        ("G(T / HTTP/1.1\r\n\r\n", 400),
        ("GET / HTTP/2.0\r\n\r\n", 505),
        ("GET / FTP/1.1\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nNoColon\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nX: a\u{7F}b\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", 400),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
    ])
    func rejectsMalformedHeads(text: String, status: Int) {
        var parser = HTTPRequestParser()
        parser.append(Array(text.utf8))
        guard case .failure(let error) = parser.next() else {
            Issue.record("accepted \(text.debugDescription)")
            return
        }
        #expect(error.status == status)
    }

    @Test func rejectsAHugeHeadBeforeItEnds() {
        var parser = HTTPRequestParser()
        parser.append(Array("GET / HTTP/1.1\r\n".utf8))
        var outcome = HTTPRequestParser.Event.needMoreBytes
        for _ in 0..<100 where outcome == .needMoreBytes {
            parser.append(Array("X-Filler: \(String(repeating: "a", count: 200))\r\n".utf8))
            outcome = parser.next()
        }
        guard case .failure(let error) = outcome else {
            Issue.record("a head over the limit was not rejected: \(outcome)")
            return
        }
        #expect(error.status == 431)
    }

    @Test func rejectsTooManyHeaders() {
        var limits = HTTPRequestParser.Limits()
        limits.maxHeaderCount = 3
        var parser = HTTPRequestParser(limits: limits)
        parser.append(Array("GET / HTTP/1.1\r\na: 1\r\nb: 2\r\nc: 3\r\nd: 4\r\n\r\n".utf8))
        #expect(parser.next() == .failure(HTTPRequestError(status: 431, "more than 3 header lines")))
    }

    @Test func rejectsALongRequestLineWithoutItsEnd() {
        var parser = HTTPRequestParser()
        parser.append(Array("GET /\(String(repeating: "x", count: 3000))".utf8))
        guard case .failure(let error) = parser.next() else {
            Issue.record("accepted")
            return
        }
        #expect(error.status == 414)
    }

    @Test func survivesRandomBytes() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var parser = HTTPRequestParser()
            let count = Int.random(in: 0...3000, using: &generator)
            parser.append((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
            for _ in 0..<4 { _ = parser.next() }
        }
    }
}
