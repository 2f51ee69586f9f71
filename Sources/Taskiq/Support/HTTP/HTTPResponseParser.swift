/// Reads one HTTP/1.x response from bytes as they arrive: a pure state machine with no socket,
/// so it is tested with byte fixtures.
///
/// It handles a status line, headers, a body framed by `Content-Length`, `chunked` transfer
/// coding or the end of the connection, and interim `1xx` responses (skipped). Everything is
/// bounded by ``Limits``: a server that sends an endless head or body gets `tooLarge`, never
/// an unbounded buffer. Parsing is lenient where it is harmless (a bare LF ends a line) and
/// strict where it matters for framing (a bad length is an error, not a guess).
///
/// ```swift
/// var parser = HTTPResponseParser(requestMethod: "POST")
/// parser.feed(bytes)
/// if let response = try parser.next() { ... }   // nil: feed more, or call finish() at EOF
/// ```
package struct HTTPResponseParser: Sendable {
    /// The sizes a response may not exceed.
    package struct Limits: Sendable {
        /// The most bytes of status line plus headers (and of chunked trailers).
        package var maxHeadBytes: Int
        /// The most header lines.
        package var maxHeaderCount: Int
        /// The most body bytes, after de-chunking.
        package var maxBodyBytes: Int

        /// Creates limits; the defaults are 64 KiB of head, 100 headers and 16 MiB of body.
        package init(maxHeadBytes: Int = 64 << 10, maxHeaderCount: Int = 100, maxBodyBytes: Int = 16 << 20) {
            self.maxHeadBytes = maxHeadBytes
            self.maxHeaderCount = maxHeaderCount
            self.maxBodyBytes = maxBodyBytes
        }
    }

    /// Why the bytes are not an acceptable response.
    package struct Failure: Error, Sendable, Equatable {
        /// `badResponse`, `tooLarge` or `connectionLost` (the stream ended mid-response).
        package var code: HTTPClientError.Code
        /// What was wrong.
        package var message: String

        init(_ code: HTTPClientError.Code, _ message: String) {
            self.code = code
            self.message = message
        }
    }

    private enum State: Sendable {
        case statusLine
        case headers
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
        case complete
    }

    private let limits: Limits
    private let isHead: Bool
    private var state = State.statusLine
    private var buffer: [UInt8] = []
    private var start = 0
    private var headBytes = 0
    private var status = 0
    private var isHTTP10 = false
    private var headers: [(String, String)] = []
    private var body: [UInt8] = []

    /// Whether the connection can carry another request after this response: known once
    /// ``next()`` returned the response.
    package private(set) var keepAlive = true

    /// Whether any byte was fed: a stream that ends before one means the server closed an idle
    /// connection, which a client may retry on a new one.
    package private(set) var receivedAny = false

    /// A parser for the response to a request with `requestMethod` (a `HEAD` response has no body).
    package init(requestMethod: String, limits: Limits = Limits()) {
        self.limits = limits
        self.isHead = requestMethod.uppercased() == "HEAD"
    }

    /// Adds bytes read from the connection.
    package mutating func feed(_ bytes: some Collection<UInt8>) {
        guard !bytes.isEmpty else { return }
        receivedAny = true
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The response, once it is complete; `nil` while more bytes are needed.
    /// - Throws: ``Failure`` when the bytes are not a valid response or exceed the limits.
    package mutating func next() throws(Failure) -> HTTPClientResponse? {
        while true {
            switch state {
            case .statusLine:
                guard let line = try takeLine(head: true) else { return nil }
                if line.isEmpty && status == 0 && headers.isEmpty { continue }  // stray CRLF before a response
                try parseStatusLine(line)
                state = .headers
            case .headers:
                guard let line = try takeLine(head: true) else { return nil }
                if line.isEmpty {
                    try endOfHead()
                } else {
                    try parseHeader(line)
                }
            case .fixedBody(let remaining):
                let available = min(remaining, buffer.count - start)
                body.append(contentsOf: buffer[start..<start + available])
                start += available
                if remaining - available > 0 {
                    state = .fixedBody(remaining: remaining - available)
                    return nil
                }
                state = .complete
            case .chunkSize:
                guard let line = try takeLine(head: false) else { return nil }
                let size = try chunkSize(line)
                if size == 0 {
                    state = .trailers
                } else {
                    guard size <= limits.maxBodyBytes - body.count else {
                        throw Failure(.tooLarge, "the chunked body exceeds \(limits.maxBodyBytes) bytes")
                    }
                    state = .chunkData(remaining: size)
                }
            case .chunkData(let remaining):
                let available = min(remaining, buffer.count - start)
                body.append(contentsOf: buffer[start..<start + available])
                start += available
                if remaining - available > 0 {
                    state = .chunkData(remaining: remaining - available)
                    return nil
                }
                state = .chunkDataEnd
            case .chunkDataEnd:
                guard let line = try takeLine(head: false) else { return nil }
                guard line.isEmpty else { throw Failure(.badResponse, "a chunk is longer than its size says") }
                state = .chunkSize
            case .trailers:
                guard let line = try takeLine(head: true) else { return nil }
                if line.isEmpty { state = .complete }
            case .untilClose:
                let available = buffer.count - start
                guard available <= limits.maxBodyBytes - body.count else {
                    throw Failure(.tooLarge, "the body exceeds \(limits.maxBodyBytes) bytes")
                }
                body.append(contentsOf: buffer[start...])
                start = buffer.count
                return nil
            case .complete:
                return HTTPClientResponse(status: status, headers: headers, body: body)
            }
        }
    }

    /// Ends the stream: completes a body that runs until the connection closes.
    /// - Returns: The response, or `nil` when the stream ended before any byte (an idle
    ///   connection the server closed).
    /// - Throws: ``Failure`` with code `connectionLost` when the stream ended mid-response.
    package mutating func finish() throws(Failure) -> HTTPClientResponse? {
        if let response = try next() { return response }
        switch state {
        case .untilClose:
            state = .complete
            return HTTPClientResponse(status: status, headers: headers, body: body)
        case .statusLine where !receivedAny:
            return nil
        default:
            throw Failure(.connectionLost, "the connection closed before the response was complete")
        }
    }

    /// The next line without its line ending, or `nil` when no full line is buffered yet.
    private mutating func takeLine(head: Bool) throws(Failure) -> ArraySlice<UInt8>? {
        let limit = head ? limits.maxHeadBytes - headBytes : 4096
        guard let newline = buffer[start...].firstIndex(of: 10) else {
            if buffer.count - start > limit {
                throw Failure(
                    .tooLarge,
                    head
                        ? "the response head exceeds \(limits.maxHeadBytes) bytes"
                        : "a chunk-size line exceeds 4096 bytes")
            }
            return nil
        }
        let length = newline - start + 1
        guard length <= limit else {
            throw Failure(
                .tooLarge,
                head
                    ? "the response head exceeds \(limits.maxHeadBytes) bytes"
                    : "a chunk-size line exceeds 4096 bytes")
        }
        if head { headBytes += length }
        var end = newline
        if end > start && buffer[end - 1] == 13 { end -= 1 }
        let line = buffer[start..<end]
        start = newline + 1
        return line
    }

    private mutating func parseStatusLine(_ line: ArraySlice<UInt8>) throws(Failure) {
        let text = String(decoding: line, as: UTF8.self)
        func bad() -> Failure {
            Failure(.badResponse, "expected a status line such as 'HTTP/1.1 200 OK', got '\(Self.excerpt(text))'")
        }
        let bytes = Array(line)
        guard bytes.count >= 12, bytes[0..<7].elementsEqual("HTTP/1.".utf8), (48...57).contains(bytes[7]),
            bytes[8] == 32, bytes[9...11].allSatisfy({ (48...57).contains($0) }),
            bytes.count == 12 || bytes[12] == 32
        else { throw bad() }
        let code = Int(bytes[9] - 48) * 100 + Int(bytes[10] - 48) * 10 + Int(bytes[11] - 48)
        guard (100...599).contains(code) else { throw bad() }
        guard code != 101 else { throw Failure(.badResponse, "the server switched protocols (101), which this client does not ask for") }
        status = code
        isHTTP10 = bytes[7] == 48
    }

    private mutating func parseHeader(_ line: ArraySlice<UInt8>) throws(Failure) {
        guard headers.count < limits.maxHeaderCount else {
            throw Failure(.tooLarge, "the response has more than \(limits.maxHeaderCount) headers")
        }
        guard let first = line.first, first != 32, first != 9 else {
            throw Failure(.badResponse, "a header line starts with whitespace (obsolete line folding)")
        }
        guard let colon = line.firstIndex(of: 58), colon > line.startIndex,
            line[line.startIndex..<colon].allSatisfy(Self.isTokenByte)
        else {
            throw Failure(.badResponse, "expected a header 'Name: value', got '\(Self.excerpt(String(decoding: line, as: UTF8.self)))'")
        }
        let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self)
        var value = line[(colon + 1)...]
        while let byte = value.first, byte == 32 || byte == 9 { value = value.dropFirst() }
        while let byte = value.last, byte == 32 || byte == 9 { value = value.dropLast() }
        headers.append((name, String(decoding: value, as: UTF8.self)))
    }

    private mutating func endOfHead() throws(Failure) {
        if (100...199).contains(status) {
            // An interim response (100 Continue, 103 Early Hints): the real one follows.
            status = 0
            headers = []
            state = .statusLine
            return
        }
        var connectionTokens: [String] = []
        var transferCodings: [String] = []
        var lengths: [Substring] = []
        for (name, value) in headers {
            switch name.lowercased() {
            case "connection":
                connectionTokens += value.lowercased().split(separator: ",").map { String($0).trimmingASCIIWhitespace() }
            case "transfer-encoding":
                transferCodings += value.lowercased().split(separator: ",").map { String($0).trimmingASCIIWhitespace() }
            case "content-length":
                lengths += value.split(separator: ",", omittingEmptySubsequences: false)
            default:
                break
            }
        }
        keepAlive = isHTTP10 ? connectionTokens.contains("keep-alive") : !connectionTokens.contains("close")
        if isHead || status == 204 || status == 304 {
            state = .complete
        } else if !transferCodings.isEmpty {
            // With both, Transfer-Encoding wins and the connection is not trusted again (RFC 9112 6.3).
            if !lengths.isEmpty { keepAlive = false }
            if transferCodings.last == "chunked" {
                state = .chunkSize
            } else {
                keepAlive = false
                state = .untilClose
            }
        } else if let firstLength = lengths.first {
            let text = String(firstLength).trimmingASCIIWhitespace()
            guard lengths.allSatisfy({ String($0).trimmingASCIIWhitespace() == text }) else {
                throw Failure(.badResponse, "the response has conflicting Content-Length values")
            }
            guard !text.isEmpty, text.utf8.allSatisfy({ (48...57).contains($0) }) else {
                throw Failure(.badResponse, "Content-Length '\(Self.excerpt(text))' is not a number")
            }
            guard text.utf8.count <= 12, let length = Int(text), length <= limits.maxBodyBytes else {
                throw Failure(.tooLarge, "the body of \(Self.excerpt(text)) bytes exceeds \(limits.maxBodyBytes) bytes")
            }
            state = length == 0 ? .complete : .fixedBody(remaining: length)
        } else {
            keepAlive = false
            state = .untilClose
        }
    }

    private func chunkSize(_ line: ArraySlice<UInt8>) throws(Failure) -> Int {
        var digits = line.prefix { $0 != 59 }  // ';' starts a chunk extension
        while let byte = digits.last, byte == 32 || byte == 9 { digits = digits.dropLast() }
        guard !digits.isEmpty else { throw Failure(.badResponse, "a chunk has no size") }
        guard digits.count <= 15 else { throw Failure(.tooLarge, "a chunk size has more than 15 hex digits") }
        var size = 0
        for byte in digits {
            let value: Int
            switch byte {
            case 48...57: value = Int(byte - 48)
            case 65...70: value = Int(byte - 55)
            case 97...102: value = Int(byte - 87)
            default:
                throw Failure(.badResponse, "chunk size '\(Self.excerpt(String(decoding: digits, as: UTF8.self)))' is not hexadecimal")
            }
            size = size * 16 + value
        }
        return size
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 48...57, 65...90, 97...122: true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default: false
        }
    }

    private static func excerpt(_ text: some StringProtocol) -> String {
        let cleaned = String(text.unicodeScalars.prefix(80).map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
        return text.unicodeScalars.count > 80 ? cleaned + "..." : cleaned
    }
}
