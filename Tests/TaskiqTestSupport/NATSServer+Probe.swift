import Foundation
import Taskiq

/// Raw looks at a running server: its `INFO` line and its HTTP monitoring endpoints. Blocking,
/// bounded by `timeout`: for readiness polls and assertions, not for a client.
extension NATSServer {
    /// The `INFO` the server sends a new connection (`server_id`, `tls_required`,
    /// `auth_required`, `jetstream`…), decoded.
    package func info(timeout: Duration = .seconds(5)) throws -> [String: Any] {
        try Self.info(port: port, timeout: timeout)
    }

    /// A monitoring endpoint's JSON (`/varz`, `/jsz`, `/connz`, `/routez`…), decoded; `path`
    /// may carry a query (`/jsz?streams=true`).
    /// - Throws: ``StartError`` when the server has no monitoring port or does not answer 200.
    package func monitoring(_ path: String, timeout: Duration = .seconds(5)) throws -> [String: Any] {
        guard let monitoringPort else {
            throw StartError(description: "nats-server on port \(port) was started without monitoring")
        }
        let body = try Self.httpGet(port: monitoringPort, path: path, timeout: timeout)
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else {
            throw StartError(description: "GET \(path) on port \(monitoringPort) answered no JSON object: \(body.prefix(500))")
        }
        return object
    }

    /// Connects to `port` and decodes the `INFO` line the server sends first.
    static func info(port: Int, timeout: Duration) throws -> [String: Any] {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        let connection = try connect(port: port, timeout: timeout)
        defer { connection.close() }
        let line = try readLine(connection, deadline: deadline)
        guard line.hasPrefix("INFO "),
            let object = try? JSONSerialization.jsonObject(with: Data(line.dropFirst(5).utf8)) as? [String: Any]
        else {
            throw StartError(description: "port \(port) sent \"\(line.prefix(200))\", expected an INFO line")
        }
        return object
    }

    /// `GET path` over HTTP/1.0 on `port`: the body of a 200 answer.
    static func httpGet(port: Int, path: String, timeout: Duration) throws -> String {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        let connection = try connect(port: port, timeout: timeout)
        defer { connection.close() }
        do {
            try connection.sendAll(Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1:\(port)\r\n\r\n".utf8))
        } catch {
            throw StartError(description: "GET \(path) on port \(port): \(error)")
        }
        var bytes: [UInt8] = []
        while try receive(connection, into: &bytes, deadline: deadline, what: "GET \(path) on port \(port)") {}
        let text = String(decoding: bytes, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else {
            throw StartError(description: "GET \(path) on port \(port) answered no HTTP response: \(text.prefix(200))")
        }
        let status = text[..<split.lowerBound].prefix { $0 != "\r" }
        guard status.split(separator: " ").dropFirst().first == "200" else {
            throw StartError(description: "GET \(path) on port \(port) answered \(status): \(text[split.upperBound...].prefix(500))")
        }
        return String(text[split.upperBound...])
    }

    /// Reads up to the first CRLF, without it.
    static func readLine(_ connection: TCPConnection, deadline: ContinuousClock.Instant) throws -> String {
        var bytes: [UInt8] = []
        while true {
            if let end = bytes.firstRange(of: [13, 10]) { return String(decoding: bytes[..<end.lowerBound], as: UTF8.self) }
            guard try receive(connection, into: &bytes, deadline: deadline, what: "reading a line") else {
                throw StartError(description: "connection closed after \"\(String(decoding: bytes, as: UTF8.self).prefix(200))\"")
            }
        }
    }

    /// Appends what arrives before `deadline`; `false` at the end of the stream.
    private static func receive(
        _ connection: TCPConnection, into bytes: inout [UInt8], deadline: ContinuousClock.Instant,
        what: String
    ) throws -> Bool {
        let remaining = ContinuousClock.now.duration(to: deadline)
        guard remaining > .zero, connection.waitReadable(timeout: remaining) else {
            throw StartError(description: "\(what): nothing arrived in time")
        }
        var buffer = [UInt8](repeating: 0, count: 16_384)
        let count: Int
        do {
            count = try buffer.withUnsafeMutableBytes { try connection.receive(into: $0) }
        } catch {
            throw StartError(description: "\(what): \(error)")
        }
        bytes += buffer[..<count]
        return count > 0
    }

    private static func connect(port: Int, timeout: Duration) throws -> TCPConnection {
        do {
            return try TCPConnection.connect(host: "127.0.0.1", port: UInt16(port), timeout: timeout)
        } catch {
            throw StartError(description: "cannot connect to 127.0.0.1:\(port): \(error)")
        }
    }
}
