/// Reads request heads from the bytes of a connection, incrementally and within fixed bounds.
///
/// A pure state machine: feed it what the socket gave with ``append(_:)``, then call ``next()``
/// until it answers ``Event/needMoreBytes``. Bytes after a head stay buffered for the next request
/// (pipelining). Requests with a body are refused: the server this parser serves only answers
/// `GET` and `HEAD`.
/// ```swift
/// var parser = HTTPRequestParser()
/// parser.append(Array("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
/// if case .head(let head) = parser.next() { ... }
/// ```
package struct HTTPRequestParser: Sendable {
    /// The bounds a request head must keep.
    package struct Limits: Sendable, Hashable {
        /// The longest request line, in bytes (answered 414 beyond).
        package var maxRequestLineBytes = 2048
        /// The largest head, request line and headers together, in bytes (431 beyond).
        package var maxHeadBytes = 8192
        /// The most header lines (431 beyond).
        package var maxHeaderCount = 64

        /// The defaults: 2 KiB request line, 8 KiB head, 64 headers.
        package init() {}
    }

    /// What ``next()`` found.
    package enum Event: Sendable, Hashable {
        /// A complete, valid head.
        case head(HTTPRequestHead)
        /// The buffered bytes do not yet hold a whole head.
        case needMoreBytes
        /// The request is malformed or too large; the connection should be answered and closed.
        case failure(HTTPRequestError)
    }

    /// The bounds.
    package let limits: Limits
    private var buffer: [UInt8] = []
    /// Where the search for the end of the head resumes.
    private var scanned = 0

    /// Creates a parser.
    package init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Whether bytes of an unfinished request are buffered.
    package var hasPartialRequest: Bool { !buffer.isEmpty }

    /// Buffers bytes read from the connection.
    package mutating func append(_ bytes: some Collection<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// The next head, once the buffer holds one; see ``Event``.
    package mutating func next() -> Event {
        // Empty lines before a request line are allowed (RFC 9112 §2.2).
        let blank = buffer.prefix { $0 == 13 || $0 == 10 }.count
        if blank > 0 {
            buffer.removeFirst(blank)
            scanned = 0
        }
        guard let end = headEnd() else {
            if buffer.count > limits.maxHeadBytes {
                return .failure(HTTPRequestError(status: 431, "request head larger than \(limits.maxHeadBytes) bytes"))
            }
            if let newline = buffer.firstIndex(of: 10) {
                if newline > limits.maxRequestLineBytes { return tooLongRequestLine() }
            } else if buffer.count > limits.maxRequestLineBytes {
                return tooLongRequestLine()
            }
            return .needMoreBytes
        }
        let head = Array(buffer[..<end.start])
        buffer.removeFirst(end.next)
        scanned = 0
        guard head.count <= limits.maxHeadBytes else {
            return .failure(HTTPRequestError(status: 431, "request head larger than \(limits.maxHeadBytes) bytes"))
        }
        switch parse(head) {
        case .success(let parsed): return .head(parsed)
        case .failure(let error): return .failure(error)
        }
    }

    private func tooLongRequestLine() -> Event {
        .failure(HTTPRequestError(status: 414, "request line longer than \(limits.maxRequestLineBytes) bytes"))
    }

    /// The end of the head (before the blank line) and the start of what follows it.
    private mutating func headEnd() -> (start: Int, next: Int)? {
        var index = max(0, scanned - 3)
        while index < buffer.count {
            if buffer[index] == 10 {
                // "\n\n" or "\n\r\n" ends the head.
                if index + 1 < buffer.count, buffer[index + 1] == 10 { return (index, index + 2) }
                if index + 2 < buffer.count, buffer[index + 1] == 13, buffer[index + 2] == 10 { return (index, index + 3) }
            }
            index += 1
        }
        scanned = buffer.count
        return nil
    }

    private func parse(_ head: [UInt8]) -> Result<HTTPRequestHead, HTTPRequestError> {
        var lines = head.split(separator: 10, omittingEmptySubsequences: false).map { line -> ArraySlice<UInt8> in
            line.last == 13 ? line.dropLast() : line
        }
        guard !lines.isEmpty else { return .failure(HTTPRequestError(status: 400, "empty request")) }
        let requestLine = lines.removeFirst()
        let parts = requestLine.split(separator: 32, omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            return .failure(HTTPRequestError(status: 400, "malformed request line; expected METHOD SP target SP HTTP/1.1"))
        }
        guard !parts[0].isEmpty, parts[0].allSatisfy(Self.isTokenByte) else {
            return .failure(HTTPRequestError(status: 400, "malformed method"))
        }
        guard !parts[1].isEmpty, parts[1].allSatisfy({ $0 > 32 && $0 < 127 }) else {
            return .failure(HTTPRequestError(status: 400, "malformed request target"))
        }
        let version = Array(parts[2])
        guard version.count == 8, version.starts(with: Array("HTTP/".utf8)), version[6] == UInt8(ascii: ".") else {
            return .failure(HTTPRequestError(status: 400, "malformed HTTP version"))
        }
        guard version[5] == UInt8(ascii: "1"), version[7] == UInt8(ascii: "0") || version[7] == UInt8(ascii: "1") else {
            return .failure(HTTPRequestError(status: 505, "only HTTP/1.0 and HTTP/1.1 are supported"))
        }
        guard lines.count <= limits.maxHeaderCount else {
            return .failure(HTTPRequestError(status: 431, "more than \(limits.maxHeaderCount) header lines"))
        }
        var headers: [HTTPHeader] = []
        for line in lines {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                return .failure(HTTPRequestError(status: 400, "header line without a colon"))
            }
            let name = line[..<colon]
            guard !name.isEmpty, name.allSatisfy(Self.isTokenByte) else {
                return .failure(HTTPRequestError(status: 400, "malformed header name"))
            }
            var value = line[(colon + 1)...]
            while let first = value.first, first == 32 || first == 9 { value = value.dropFirst() }
            while let last = value.last, last == 32 || last == 9 { value = value.dropLast() }
            guard value.allSatisfy({ $0 == 9 || ($0 >= 32 && $0 != 127) }) else {
                return .failure(HTTPRequestError(status: 400, "control character in a header value"))
            }
            headers.append(HTTPHeader(name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self)))
        }
        let request = HTTPRequestHead(
            method: String(decoding: parts[0], as: UTF8.self), target: String(decoding: parts[1], as: UTF8.self),
            minorVersion: version[7] == UInt8(ascii: "1") ? 1 : 0, headers: headers)
        if request.header("transfer-encoding") != nil {
            return .failure(HTTPRequestError(status: 400, "request bodies are not accepted"))
        }
        if let length = request.header("content-length"), length != "0" {
            return .failure(HTTPRequestError(status: 400, "request bodies are not accepted"))
        }
        return .success(request)
    }

    /// A byte of an RFC 9110 token (method, header name).
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
            UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
            UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default: false
        }
    }
}
