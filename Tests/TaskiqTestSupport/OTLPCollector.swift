import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A loopback OTLP/HTTP collector for tests: it accepts `POST /v1/traces` requests (keep-alive,
/// `Content-Length` bodies), keeps each body, and answers `200 {}` — or, when `stalled`, accepts
/// connections and never reads or answers, as a hung collector would.
package final class OTLPCollector: Sendable {
    /// A request the collector received.
    package struct Request: Sendable {
        /// The request line, such as `POST /v1/traces HTTP/1.1`.
        package var requestLine: String
        /// Header names (lower-cased) and values.
        package var headers: [String: String]
        /// The body.
        package var body: [UInt8]
    }

    /// The loopback port.
    package let port: Int
    private let listener: Int32
    /// Set by the first ``close()``; a second one must not reach a descriptor number reused since.
    private let closed = Atomic<Bool>(false)
    private let received = Mutex<[Request]>([])
    private let connections = Mutex<[Int32]>([])
    private let answerStatus: Int
    private let stalled: Bool

    /// The base URL to configure an exporter with.
    package var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Requests received so far.
    package var requests: [Request] { received.withLock { $0 } }

    /// Every span of every request body, as decoded JSON objects, in arrival order.
    package var spans: [[String: Any]] {
        requests.flatMap { request -> [[String: Any]] in
            guard let root = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any] else { return [] }
            let resourceSpans = root["resourceSpans"] as? [[String: Any]] ?? []
            return resourceSpans.flatMap { ($0["scopeSpans"] as? [[String: Any]] ?? []).flatMap { $0["spans"] as? [[String: Any]] ?? [] } }
        }
    }

    /// Starts listening on a free loopback port.
    /// - Parameters:
    ///   - stalled: Accept connections but never read or answer.
    ///   - status: The status to answer with.
    package init(stalled: Bool = false, status: Int = 200) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else {
            Glibc.close(fd)
            throw RedisServer.StartError(description: "OTLP collector: \(String(cString: strerror(errno)))")
        }
        listener = fd
        answerStatus = status
        self.stalled = stalled
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in
            while true {
                let client = accept(fd, nil, nil)
                guard client >= 0 else { return }
                connections.withLock { $0.append(client) }
                if stalled { continue }
                Thread { [self] in serve(client) }.start()
            }
        }.start()
    }

    private func serve(_ client: Int32) {
        // Forgotten and closed under the lock, so close() never shuts down a number reused since.
        defer {
            connections.withLock {
                $0.removeAll { $0 == client }
                Glibc.close(client)
            }
        }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            while let request = takeRequest(from: &buffer) {
                received.withLock { $0.append(request) }
                let reply = Array("HTTP/1.1 \(answerStatus) X\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}".utf8)
                _ = reply.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            }
            let count = recv(client, &chunk, chunk.count, 0)
            guard count > 0 else { return }
            buffer.append(contentsOf: chunk[0..<count])
        }
    }

    private func takeRequest(from buffer: inout [UInt8]) -> Request? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = buffer.indices.first(where: { buffer[$0...].starts(with: separator) }) else { return nil }
        let head = String(decoding: buffer[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        let bodyStart = end + 4
        guard buffer.count >= bodyStart + length else { return nil }
        let request = Request(requestLine: head.first ?? "", headers: headers, body: Array(buffer[bodyStart..<bodyStart + length]))
        buffer.removeFirst(bodyStart + length)
        return request
    }

    /// Stops listening and closes every connection.
    package func close() {
        guard !closed.exchange(true, ordering: .sequentiallyConsistent) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        Glibc.close(listener)
        connections.withLock { clients in
            for client in clients {
                shutdown(client, Int32(SHUT_RDWR))
                if stalled { Glibc.close(client) }
            }
            if stalled { clients = [] }
        }
    }
}
