extension HTTPClient {
    /// The bytes of a request: request line, headers (ours first, then the caller's), body.
    /// - Throws: ``HTTPClientError`` `invalidRequest` when the method is not a token, or the
    ///   path or a header contains a control character (which would let it inject headers).
    func encodeRequest(
        method: String, path: String, headers: [(String, String)],
        body: [UInt8]
    ) throws(HTTPClientError) -> [UInt8] {
        let peer = endpoint.peer
        guard !method.isEmpty, method.utf8.allSatisfy({ (65...90).contains($0) || $0 == 45 || $0 == 95 }) else {
            throw HTTPClientError(.invalidRequest, peer: peer, "method '\(method)' is not an upper-case token")
        }
        let target = endpoint.target(for: path)
        guard !target.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            throw HTTPClientError(.invalidRequest, peer: peer, "path '\(path)' contains a space or control character")
        }
        var head = "\(method) \(target) HTTP/1.1\r\nHost: \(endpoint.hostHeader)\r\n"
        var hasUserAgent = false
        for (name, value) in headers {
            guard !name.isEmpty, !name.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F || $0 == 58 }) else {
                throw HTTPClientError(
                    .invalidRequest, peer: peer, "header name '\(name)' is empty or contains ':', a space or a control character")
            }
            guard !value.utf8.contains(where: { ($0 < 0x20 && $0 != 9) || $0 == 0x7F }) else {
                throw HTTPClientError(.invalidRequest, peer: peer, "the value of header '\(name)' contains a control character")
            }
            switch name.lowercased() {
            case "host", "content-length", "transfer-encoding", "connection": continue
            case "user-agent": hasUserAgent = true
            default: break
            }
            head += "\(name): \(value)\r\n"
        }
        if !hasUserAgent { head += "User-Agent: taskiq-swift\r\n" }
        if !body.isEmpty || !["GET", "HEAD", "DELETE", "OPTIONS"].contains(method) {
            head += "Content-Length: \(body.count)\r\n"
        }
        head += "\r\n"
        var bytes = Array(head.utf8)
        bytes.append(contentsOf: body)
        return bytes
    }
}
