import Foundation
import TaskiqTestSupport
import Testing

@testable import Taskiq

#if canImport(Glibc)
import Glibc
#endif

/// The HTTP server over real loopback sockets: keep-alive and pipelining, hostile clients, and
/// the connection cap.
@Suite struct HTTPServerTests {
    static func makeServer(_ configure: (inout HTTPServer.Options) -> Void = { _ in }) throws -> HTTPServer {
        var options = HTTPServer.Options()
        configure(&options)
        return try HTTPServer(host: "127.0.0.1", port: 0, options: options) { head in
            head.path == "/hello" ? .text(200, "hello \(head.target)") : .text(404, "no")
        }
    }

    static func connect(_ server: HTTPServer) throws -> TCPConnection {
        try TCPConnection.connect(host: "127.0.0.1", port: server.port, timeout: .seconds(5))
    }

    /// Reads until `count` responses (counted by their status lines) arrived or the peer closed.
    static func read(_ connection: TCPConnection, responses count: Int, timeout: Duration = .seconds(10)) -> String {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var text = ""
        var buffer = [UInt8](repeating: 0, count: 4096)
        while text.components(separatedBy: "HTTP/1.1 ").count - 1 < count {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero, connection.waitReadable(timeout: remaining),
                let read = try? buffer.withUnsafeMutableBytes({ raw throws(TCPError) in try connection.receive(into: raw) }),
                read > 0
            else { break }
            text += String(decoding: buffer[..<read], as: UTF8.self)
        }
        return text
    }

    @Test func answersPipelinedRequestsOnOneConnection() throws {
        let server = try Self.makeServer()
        defer { server.shutdown() }
        let connection = try Self.connect(server)
        defer { connection.close() }
        try connection.sendAll(
            Array("GET /hello?1 HTTP/1.1\r\nHost: x\r\n\r\nGET /hello?2 HTTP/1.1\r\nHost: x\r\n\r\nHEAD /hello HTTP/1.1\r\n\r\n".utf8))
        let text = Self.read(connection, responses: 3)
        #expect(text.contains("hello /hello?1"))
        #expect(text.contains("hello /hello?2"))
        #expect(text.components(separatedBy: "HTTP/1.1 200 OK").count == 4)
        #expect(text.contains("Connection: keep-alive"))
        // Still open: a fourth request is answered.
        try connection.sendAll(Array("GET /nothing HTTP/1.1\r\nConnection: close\r\n\r\n".utf8))
        #expect(Self.read(connection, responses: 1).contains("HTTP/1.1 404 Not Found"))
    }

    @Test(arguments: [
        ("garbage\u{00}\r\n\r\n", "400 Bad Request"),
        ("DELETE /hello HTTP/1.1\r\n\r\n", "405 Method Not Allowed"),
        ("GET / HTTP/1.1\r\nX: \(String(repeating: "y", count: 10_000))\r\n\r\n", "431 Request Header Fields Too Large"),
    ])
    func answersBadRequestsAndCloses(request: String, status: String) throws {
        let server = try Self.makeServer()
        defer { server.shutdown() }
        let connection = try Self.connect(server)
        defer { connection.close() }
        try? connection.sendAll(Array(request.utf8))
        let text = Self.read(connection, responses: 2, timeout: .seconds(10))
        #expect(text.hasPrefix("HTTP/1.1 \(status)"))
        #expect(text.contains("Connection: close"))
    }

    @Test func closesASlowClientWhileServingOthers() throws {
        let server = try Self.makeServer { $0.headTimeout = .milliseconds(500) }
        defer { server.shutdown() }
        let slow = try Self.connect(server)
        defer { slow.close() }
        try slow.sendAll(Array("GET /hello HTTP/1.1\r\n".utf8))
        let start = ContinuousClock.now
        // Another client is served while the slow one hangs.
        let other = try Self.connect(server)
        defer { other.close() }
        try other.sendAll(Array("GET /hello HTTP/1.1\r\nConnection: close\r\n\r\n".utf8))
        #expect(Self.read(other, responses: 1).contains("200 OK"))
        // The slow one keeps dribbling, and is cut off at the head deadline anyway.
        var closed = false
        while ContinuousClock.now - start < .seconds(10) {
            if (try? slow.sendAll(Array("X".utf8))) == nil {
                closed = true
                break
            }
            if slow.waitReadable(timeout: .milliseconds(100)) {
                let text = Self.read(slow, responses: 1, timeout: .seconds(1))
                #expect(text.contains("408"))
                closed = true
                break
            }
        }
        #expect(closed)
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test func refusesConnectionsOverTheCap() throws {
        let server = try Self.makeServer { $0.maxConnections = 2 }
        defer { server.shutdown() }
        let first = try Self.connect(server)
        let second = try Self.connect(server)
        defer {
            first.close()
            second.close()
        }
        try first.sendAll(Array("GET /hello HTTP/1.1\r\n\r\n".utf8))
        try second.sendAll(Array("GET /hello HTTP/1.1\r\n\r\n".utf8))
        _ = Self.read(first, responses: 1)
        _ = Self.read(second, responses: 1)
        let third = try Self.connect(server)
        defer { third.close() }
        #expect(Self.read(third, responses: 1).contains("503 Service Unavailable"))
    }

    @Test func shutdownClosesOpenConnections() throws {
        let server = try Self.makeServer()
        let idle = try Self.connect(server)
        defer { idle.close() }
        try idle.sendAll(Array("GET /hello HTTP/1.1\r\n\r\n".utf8))
        _ = Self.read(idle, responses: 1)
        server.shutdown()
        #expect(idle.waitReadable(timeout: .seconds(5)))
        #expect(Self.read(idle, responses: 1, timeout: .seconds(2)).isEmpty)
        #expect(LoopbackHTTP.get(port: server.port, path: "/hello", timeout: .seconds(1)) == nil)
    }
}
