import Foundation
import TaskiqTestSupport
import Testing

@testable import Taskiq

/// The HTTP peer needs only the venv's python; under CI a missing one fails the suite.
private let httpPeerShouldRun = FileManager.default.isExecutableFile(atPath: PythonPeer.python.path) || PythonPeer.isCI

/// ``HTTPClient`` against a real HTTP/1.1 server (Python's `http.server`, Tests/Peers/http_peer.py).
@Suite(.enabled(if: httpPeerShouldRun, "the venv's python is missing; run scripts/install-peers.sh"))
struct HTTPClientTests {
    private func withPeer(_ body: (HTTPEndpoint) async throws -> Void) async throws {
        let peer = try PythonPeer(script: "http_peer.py", [])
        defer { peer.terminate() }
        let url = try await peer.boundEndpoint()
        try await body(try HTTPEndpoint(url: url + "/echo"))
    }

    private func json(_ response: HTTPClientResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    @Test func postsABodyWithHeadersUnderTheBasePath() async throws {
        try await withPeer { endpoint in
            let client = HTTPClient(endpoint: endpoint, timeout: .seconds(10))
            defer { client.close() }
            let response = try client.send(
                method: "POST", path: "/api/tasks/1/queued",
                headers: [("Content-Type", "application/json"), ("access-token", "s3cret")],
                body: Array(#"{"args":[1,2]}"#.utf8))
            #expect(response.status == 200)
            let echo = try json(response)
            #expect(echo["method"] as? String == "POST")
            #expect(echo["path"] as? String == "/echo/api/tasks/1/queued")
            #expect(echo["body"] as? String == #"{"args":[1,2]}"#)
            let headers = try #require(echo["headers"] as? [String: String])
            #expect(headers["access-token"] == "s3cret")
            #expect(headers["content-length"] == "14")
            #expect(headers["host"] == "\(endpoint.host):\(endpoint.port)")
        }
    }

    @Test func reusesOneKeepAliveConnection() async throws {
        try await withPeer { endpoint in
            let client = HTTPClient(endpoint: endpoint, timeout: .seconds(10))
            defer { client.close() }
            var connections: Set<Int> = []
            for index in 0..<5 {
                let response = try client.send(method: "POST", path: "/n\(index)", headers: [], body: [UInt8](repeating: 65, count: index))
                connections.insert(try #require(try json(response)["connection"] as? Int))
            }
            #expect(connections.count == 1)
        }
    }

    @Test func reconnectsOnceWhenTheServerClosedTheKeptConnection() async throws {
        try await withPeer { endpoint in
            let client = HTTPClient(endpoint: try HTTPEndpoint(url: "http://\(endpoint.host):\(endpoint.port)"), timeout: .seconds(10))
            defer { client.close() }
            // /drop answers as keep-alive, then closes: the next request finds a dead connection.
            let first = try json(try client.send(method: "POST", path: "/drop", headers: [], body: [1]))
            let second = try json(try client.send(method: "POST", path: "/echo", headers: [], body: [2]))
            #expect(first["connection"] as? Int != second["connection"] as? Int)
            // Connection: close is honoured the same way.
            let third = try json(try client.send(method: "GET", path: "/close", headers: [], body: []))
            let fourth = try json(try client.send(method: "GET", path: "/echo", headers: [], body: []))
            #expect(third["connection"] as? Int != fourth["connection"] as? Int)
        }
    }

    @Test func readsChunkedResponsesAndErrorStatuses() async throws {
        try await withPeer { endpoint in
            let client = HTTPClient(endpoint: try HTTPEndpoint(url: "http://\(endpoint.host):\(endpoint.port)/"), timeout: .seconds(10))
            defer { client.close() }
            let chunked = try client.send(method: "GET", path: "chunked", headers: [], body: [])
            #expect(chunked.bodyText == "hello chunked world")
            let missing = try client.send(method: "POST", path: "/status/422", headers: [], body: [])
            #expect(missing.status == 422)
            #expect(!missing.isSuccess)
        }
    }

    @Test func timesOutOnASlowServerNamingIt() async throws {
        try await withPeer { endpoint in
            let client = HTTPClient(endpoint: try HTTPEndpoint(url: "http://\(endpoint.peer)"), timeout: .milliseconds(300))
            defer { client.close() }
            let started = ContinuousClock.now
            #expect {
                _ = try client.send(method: "GET", path: "/slow", headers: [], body: [])
            } throws: { error in
                guard let error = error as? HTTPClientError else { return false }
                return error.code == .timeout && error.description.contains(endpoint.peer)
            }
            #expect(ContinuousClock.now - started < .seconds(4))
        }
    }

    @Test func refusedConnectionsSayWhere() throws {
        let port = freeLoopbackPort()
        let client = HTTPClient(endpoint: try HTTPEndpoint(url: "http://127.0.0.1:\(port)"), timeout: .seconds(5))
        defer { client.close() }
        #expect {
            _ = try client.send(method: "POST", path: "/", headers: [], body: [])
        } throws: { error in
            guard let error = error as? HTTPClientError else { return false }
            return error.code == .refused && error.description.contains("127.0.0.1:\(port)") && error.description.contains("refused")
        }
    }

    @Test func refusesHeaderInjectionAndUseAfterClose() throws {
        let client = HTTPClient(endpoint: try HTTPEndpoint(url: "http://127.0.0.1:1"), timeout: .seconds(1))
        #expect(throws: HTTPClientError.self) {
            _ = try client.send(method: "POST", path: "/", headers: [("X", "a\r\nInjected: 1")], body: [])
        }
        #expect(throws: HTTPClientError.self) {
            _ = try client.send(method: "POST", path: "/a b", headers: [], body: [])
        }
        client.close()
        do {
            _ = try client.send(method: "GET", path: "/", headers: [], body: [])
            Issue.record("a closed client sent a request")
        } catch {
            #expect(error.code == .closed)
        }
    }

    @Test(.enabled(if: TLSCertificates.executable != nil || PythonPeer.isCI, "openssl is not installed"))
    func speaksHTTPSVerifyingTheServersCertificate() async throws {
        let certificates = try TLSCertificates.shared()
        let peer = try PythonPeer(script: "http_peer.py", ["--tls", certificates.server.certFile, certificates.server.keyFile])
        defer { peer.terminate() }
        let endpoint = try HTTPEndpoint(url: try await peer.boundEndpoint())
        #expect(endpoint.usesTLS)
        let trusting = HTTPClient(
            endpoint: endpoint, timeout: .seconds(10), limits: .init(),
            tls: TLSConfiguration(caFile: certificates.caFile))
        defer { trusting.close() }
        for index in 0..<2 {
            let response = try trusting.send(method: "POST", path: "/echo", headers: [], body: Array("tls \(index)".utf8))
            #expect(try json(response)["body"] as? String == "tls \(index)")
        }
        // The system's trust store does not know the test CA: refused, saying why.
        let strict = HTTPClient(endpoint: endpoint, timeout: .seconds(10))
        defer { strict.close() }
        do {
            _ = try strict.send(method: "GET", path: "/echo", headers: [], body: [])
            Issue.record("a certificate from an unknown CA was accepted")
        } catch {
            #expect(error.code == .tls, "\(error)")
            #expect(error.description.contains(endpoint.peer), "\(error)")
        }
    }

    @Test(arguments: [
        ("http://127.0.0.1:8000/api/", "127.0.0.1", 8000, "/api", false),
        ("https://collector.example.com/v1", "collector.example.com", 443, "/v1", true),
        ("http://[::1]:9000", "::1", 9000, "", false),
        ("HTTP://localhost", "localhost", 80, "", false),
    ])
    func parsesEndpoints(url: String, host: String, port: Int, basePath: String, usesTLS: Bool) throws {
        let endpoint = try HTTPEndpoint(url: url)
        #expect(endpoint.host == host)
        #expect(endpoint.port == port)
        #expect(endpoint.basePath == basePath)
        #expect(endpoint.usesTLS == usesTLS)
        #expect(endpoint.target(for: "/x/y") == basePath + "/x/y")
    }

    @Test(arguments: [
        "ftp://host", "http://", "http://host:0", "http://host:99999", "http://host:8a",
        "http://user:pw@host", "http://host/a?b=c", "http://ho st", "http://[::1", "http://-bad-/",
    ])
    func refusesBadEndpoints(url: String) {
        do {
            _ = try HTTPEndpoint(url: url)
            Issue.record("accepted \(url)")
        } catch {
            #expect(error.code == .invalidURL)
            #expect(error.message.contains(url))
        }
    }
}
