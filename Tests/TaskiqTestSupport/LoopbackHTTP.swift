import Foundation
import Taskiq

/// A blocking `GET` against a loopback HTTP server, for tests: the status and body, or `nil`
/// when the server does not answer within the timeout.
package enum LoopbackHTTP {
    /// The answer to one request.
    package struct Response: Sendable {
        /// The status code.
        package var status: Int
        /// The body as text.
        package var body: String
    }

    /// ``get(port:path:timeout:)`` on a thread of its own, for async tests.
    package static func fetch(port: UInt16, path: String, timeout: Duration = .seconds(5)) async -> Response? {
        (try? await offThePool { get(port: port, path: path, timeout: timeout) }) ?? nil
    }

    /// Sends `GET path` with `Connection: close` and reads the response to its end.
    package static func get(port: UInt16, path: String, timeout: Duration = .seconds(5)) -> Response? {
        guard let connection = try? TCPConnection.connect(host: "127.0.0.1", port: port, timeout: timeout) else { return nil }
        defer {
            connection.shutdown()
            connection.close()
        }
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        guard (try? connection.sendAll(Array(request.utf8))) != nil else { return nil }
        guard let bytes = readToEnd(connection, timeout: timeout) else { return nil }
        return parse(bytes)
    }

    /// Reads until the peer closes, or `nil` at the deadline.
    package static func readToEnd(_ connection: TCPConnection, timeout: Duration) -> [UInt8]? {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero, connection.waitReadable(timeout: remaining) else { return nil }
            guard let count = try? buffer.withUnsafeMutableBytes({ raw throws(TCPError) in try connection.receive(into: raw) }) else {
                return bytes
            }
            if count == 0 { return bytes }
            bytes += buffer[..<count]
        }
    }

    /// The status and body of one whole response (`Content-Length` framed or read to the end).
    package static func parse(_ bytes: [UInt8]) -> Response? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return nil }
        let statusLine = text[..<end.lowerBound].split(separator: "\r\n").first ?? ""
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
        return Response(status: status, body: String(text[end.upperBound...]))
    }
}
