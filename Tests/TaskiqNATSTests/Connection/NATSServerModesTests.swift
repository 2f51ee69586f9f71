import Taskiq
import TaskiqTestSupport
import Testing

@testable import TaskiqNATS

/// The client against nats-server in its other modes (user/password, token, TLS) and against
/// servers that misbehave: every refusal is a clear error at connect, never a hang or a trap.
@Suite(.enabled(if: NATSServer.shouldRun, NATSServer.skipMessage))
struct NATSServerModesTests {
    /// A JetStream round trip through the broker at `url`.
    static func roundTrip(_ url: String) async throws {
        let broker = try NATSJetStreamBroker(url: url)
        try await broker.startup()
        let body = Array(#"{"task_id": "m1"}"#.utf8)
        try await broker.kick(BrokerMessage(taskID: "m1", taskName: "n", message: body, labels: [:]))
        for try await delivery in try await broker.listen() {
            #expect(delivery.data == body)
            try await delivery.ack?()
            break
        }
        try await broker.shutdown()
    }

    static func expectRefusal(_ url: String, _ code: NATSClientError.Code, mentioning text: String, secret: String? = nil) async throws {
        let client = NATSClient(configuration: try NATSConfiguration(url: url))
        let started = ContinuousClock.now
        await #expect {
            try await client.connect()
        } throws: { error in
            guard let error = error as? NATSClientError else { return false }
            let masked = secret.map { !error.message.contains($0) } ?? true
            return error.code == code && error.message.contains(text) && masked
        }
        #expect(ContinuousClock.now - started < .seconds(8))
        await client.close()
    }

    @Test func userAndPassword() async throws {
        try await withTimeout(seconds: 60) {
            try await NATSServer.with(authentication: .user("taskiq", password: "p@ss w0rd")) { server in
                try await Self.roundTrip(server.url)
                try await Self.expectRefusal(
                    "nats://taskiq:wrong@127.0.0.1:\(server.port)", .authorizationFailed,
                    mentioning: "refused the credentials", secret: "wrong")
                try await Self.expectRefusal(server.url(withCredentials: false), .authorizationFailed, mentioning: "Authorization")
            }
        }
    }

    @Test func token() async throws {
        try await withTimeout(seconds: 60) {
            try await NATSServer.with(authentication: .token("s3cret-token")) { server in
                try await Self.roundTrip(server.url)
                try await Self.expectRefusal(
                    "nats://other-token@127.0.0.1:\(server.port)", .authorizationFailed,
                    mentioning: "refused", secret: "other-token")
            }
        }
    }

    @Test(.enabled(if: NATSServer.tlsShouldRun, NATSServer.tlsSkipMessage))
    func tlsVerifiedAgainstItsCAAndRefusedOtherwise() async throws {
        try await withTimeout(seconds: 60) {
            try await NATSServer.with(tls: try NATSServer.TLS.shared()) { server in
                let ca = try #require(server.caFile)
                try await Self.roundTrip("tls://localhost:\(server.port)?ca_file=\(ca)")
                // The system's trust store does not know the test CA.
                try await Self.expectRefusal("tls://localhost:\(server.port)", .tlsFailed, mentioning: "certificate")
                // A plain URL to a server that requires TLS says what to change.
                try await Self.expectRefusal("nats://127.0.0.1:\(server.port)", .tlsFailed, mentioning: "connect with a tls:// URL")
                // The certificate names localhost and 127.0.0.1, not this.
                try await Self.expectRefusal(
                    "tls://127.0.0.1:\(server.port)?ca_file=\(ca)&server_name=wrong.example", .tlsFailed,
                    mentioning: "wrong.example")
            }
        }
    }

    @Test func tlsURLToAPlainServerIsRefused() async throws {
        try await withTimeout(seconds: 60) {
            try await NATSServer.with { server in
                try await Self.expectRefusal("tls://127.0.0.1:\(server.port)", .tlsFailed, mentioning: "does not offer TLS")
            }
        }
    }

    @Test func theNextServerOfTheListIsTriedAndAStalledServerIsLeft() async throws {
        try await withTimeout(seconds: 60) {
            try await NATSServer.with { first in
                try await NATSServer.with { second in
                    // A refused port first: the client goes on to the next server.
                    let refused = freeLoopbackPort()
                    let client = NATSClient(
                        configuration: try NATSConfiguration(
                            url:
                                "nats://127.0.0.1:\(refused),127.0.0.1:\(first.port),127.0.0.1:\(second.port)?ping_interval=1&max_pings_out=4"
                        ))
                    try await client.connect()
                    #expect(client.connectedServer == "127.0.0.1:\(first.port)")
                    let events = client.events()
                    // A server that stops answering (SIGSTOP) is found stale by the PINGs and left.
                    await first.pause()
                    var disconnected = false
                    for await event in events {
                        if case .disconnected(let error) = event {
                            #expect(error.code == .staleConnection)
                            disconnected = true
                        }
                        if case .reconnected(let server) = event {
                            #expect(server == "127.0.0.1:\(second.port)")
                            break
                        }
                    }
                    #expect(disconnected)
                    try await client.flush()
                    await first.resume()
                    await client.close()
                }
            }
        }
    }

    @Test(arguments: ["garbage", "an oversized line", "INFO that is not JSON"])
    func aServerSpeakingSomethingElseIsAClearError(_ what: String) async throws {
        let greeting: [UInt8] =
            switch what {
            case "garbage": Array("HTTP/1.1 400 Bad Request\r\n\r\n".utf8)
            case "an oversized line": Array(repeating: UInt8(ascii: "A"), count: 70_000)
            default: Array("INFO {not json\r\n".utf8)
            }
        let fake = try FakeServer(reply: [], greeting: greeting)
        defer { fake.close() }
        let client = NATSClient(configuration: try NATSConfiguration(url: "nats://127.0.0.1:\(fake.port)?connect_timeout=3"))
        await #expect(throws: NATSClientError.self, "\(what)") { try await client.connect() }
        await client.close()
    }
}
