import TaskiqTestSupport
import Testing

@testable import Taskiq

/// The pure response parser, fed captured bytes: framing, limits, and hostile input.
@Suite struct HTTPClientResponseParserTests {
    private func parse(
        _ text: String, method: String = "POST", limits: HTTPResponseParser.Limits = .init(),
        atEOF: Bool = false
    ) throws(HTTPResponseParser.Failure) -> HTTPClientResponse? {
        var parser = HTTPResponseParser(requestMethod: method, limits: limits)
        parser.feed(Array(text.utf8))
        if atEOF { return try parser.finish() }
        return try parser.next()
    }

    @Test func readsAContentLengthResponse() throws {
        let response = try #require(try parse("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}"))
        #expect(response.status == 200)
        #expect(response.header("content-type") == "application/json")
        #expect(response.bodyText == #"{"a":1}"#)
    }

    @Test func waitsForTheWholeBodyAndGivesTheSameAnswerByteByByte() throws {
        let text = "HTTP/1.1 201 Created\r\nContent-Length: 5\r\nX-A:  spaced  \r\n\r\nhello"
        var parser = HTTPResponseParser(requestMethod: "POST")
        var response: HTTPClientResponse?
        for (index, byte) in text.utf8.enumerated() {
            #expect(response == nil, "complete before byte \(index)")
            parser.feed([byte])
            response = try parser.next()
        }
        let complete = try #require(response)
        #expect(complete.status == 201)
        #expect(complete.header("x-a") == "spaced")
        #expect(complete.bodyText == "hello")
        #expect(parser.keepAlive)
    }

    @Test func decodesChunkedBodiesWithExtensionsAndTrailers() throws {
        let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6;x=y\r\nhello \r\nA\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\n"
        let response = try #require(try parse(text))
        #expect(response.bodyText == "hello 0123456789")
    }

    @Test func readsToTheEndWithoutALengthAndClosesTheConnection() throws {
        var parser = HTTPResponseParser(requestMethod: "GET")
        parser.feed(Array("HTTP/1.0 200 OK\r\n\r\npartial".utf8))
        #expect(try parser.next() == nil)
        parser.feed(Array(" and more".utf8))
        let response = try #require(try parser.finish())
        #expect(response.bodyText == "partial and more")
        #expect(!parser.keepAlive)
    }

    @Test(arguments: [
        ("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", true),
        ("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", false),
        ("HTTP/1.1 200 OK\r\nConnection: Keep-Alive, Close\r\nContent-Length: 0\r\n\r\n", false),
        ("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false),
        ("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", true),
        ("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", false),
    ])
    func decidesWhetherTheConnectionStaysOpen(text: String, keepAlive: Bool) throws {
        var parser = HTTPResponseParser(requestMethod: "POST")
        parser.feed(Array(text.utf8))
        #expect(try parser.next() != nil)
        #expect(parser.keepAlive == keepAlive)
    }

    @Test func skipsInterimResponses() throws {
        let response = try #require(
            try parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early\r\nLink: x\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"))
        #expect(response.status == 204)
        #expect(response.headers.isEmpty)
    }

    @Test func headAnd204And304HaveNoBody() throws {
        #expect(try parse("HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", method: "HEAD")?.body == [])
        #expect(try parse("HTTP/1.1 204 No Content\r\nContent-Length: 99\r\n\r\n")?.body == [])
        #expect(try parse("HTTP/1.1 304 Not Modified\r\n\r\n")?.body == [])
    }

    @Test func acceptsBareLineFeeds() throws {
        #expect(try parse("HTTP/1.1 404 Not Found\nContent-Length: 2\n\nno")?.status == 404)
    }

    @Test(arguments: [
        "HTTP/2 200 OK\r\n\r\n",
        "HTTP/1.1 20 OK\r\n\r\n",
        "HTTP/1.1 600 Nope\r\n\r\n",
        "HTTP/1.1 2000 OK\r\n\r\n",
        "SSH-2.0-OpenSSH\r\n\r\n",
        "HTTP/1.1 200 OK\r\n folded: header\r\n\r\n",
        "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
        "HTTP/1.1 200 OK\r\nbad name: x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",
        "HTTP/1.1 101 Switching Protocols\r\n\r\n",
    ])
    func refusesMalformedResponses(text: String) {
        #expect(throws: HTTPResponseParser.Failure.self) { try parse(text) }
        do { _ = try parse(text) } catch { #expect(error.code == .badResponse, "\(text.debugDescription): \(error.message)") }
    }

    @Test func boundsTheHeadTheHeaderCountAndTheBody() {
        let limits = HTTPResponseParser.Limits(maxHeadBytes: 256, maxHeaderCount: 3, maxBodyBytes: 10)
        let cases = [
            "HTTP/1.1 200 OK\r\nX: " + String(repeating: "a", count: 400),  // no line end yet, already too long
            "HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nB\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + String(repeating: "0", count: 5000),
            "HTTP/1.1 200 OK\r\n\r\n" + String(repeating: "b", count: 11),
        ]
        for text in cases {
            do {
                _ = try parse(text, limits: limits)
                Issue.record("accepted \(text.prefix(60).debugDescription)")
            } catch {
                #expect(error.code == .tooLarge, "\(text.prefix(60).debugDescription): \(error.message)")
            }
        }
    }

    @Test func aStreamEndingMidResponseIsLostButAnIdleCloseIsNot() throws {
        var idle = HTTPResponseParser(requestMethod: "POST")
        #expect(try idle.finish() == nil)
        #expect(!idle.receivedAny)
        for text in [
            "HTTP/1.1 200", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
        ] {
            var parser = HTTPResponseParser(requestMethod: "POST")
            parser.feed(Array(text.utf8))
            do {
                _ = try parser.finish()
                Issue.record("accepted a truncated response \(text.debugDescription)")
            } catch {
                #expect(error.code == .connectionLost)
            }
        }
    }

    /// Hostile bytes never trap and never grow the buffer past the limits: random bytes, and
    /// valid responses with random bytes flipped, fed in random pieces.
    @Test(arguments: [1 as UInt64, 2, 3, 4])
    func survivesHostileBytes(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let limits = HTTPResponseParser.Limits(maxHeadBytes: 512, maxHeaderCount: 8, maxBodyBytes: 1024)
        let valid = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n4\r\nabcd\r\n0\r\n\r\n".utf8)
        for round in 0..<2_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int.random(in: 0...600, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            } else {
                bytes = valid
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
            }
            var parser = HTTPResponseParser(requestMethod: "POST", limits: limits)
            var offset = 0
            var done = false
            while offset < bytes.count && !done {
                let size = Int.random(in: 1...64, using: &random)
                parser.feed(bytes[offset..<min(bytes.count, offset + size)])
                offset += size
                do {
                    if let response = try parser.next() {
                        #expect(response.body.count <= limits.maxBodyBytes)
                        done = true
                    }
                } catch {
                    done = true
                }
            }
            if !done { _ = try? parser.finish() }
        }
    }
}
