import Foundation
import TaskiqRabbitMQ
import TaskiqTestSupport
import Testing

@testable import Taskiq

/// `amqps://` against the shared node's TLS listener (``RabbitMQServer/tlsPort``): it requires a
/// client certificate. An expired server certificate needs a node of its own (one listener
/// serves one certificate).
@Suite(.enabled(if: RabbitMQServer.tlsShouldRun, RabbitMQServer.tlsSkipMessage), .rabbitMQNode)
struct AMQPTLSTests {
    /// The shared node and its certificates; fails the test when it has no TLS listener.
    private static func server() async throws -> (RabbitMQServer, TLSCertificates) {
        let server = try await RabbitMQServer.shared()
        let certificates = try #require(server.certificates, "the shared RabbitMQ node has no TLS listener (is openssl installed?)")
        return (server, certificates)
    }

    /// `ca_file` and the client's certificate, in our spelling.
    private static func trusted(_ certificates: TLSCertificates, ca: String? = nil) -> String {
        "ca_file=\(ca ?? certificates.caFile)&cert_file=\(certificates.client.certFile)&key_file=\(certificates.client.keyFile)"
    }

    /// Connects with `url` and opens a channel, within a deadline.
    private static func open(_ url: String, logger: Logger = Logger(label: "taskiq.rabbitmq")) async throws -> AMQPConnection {
        var configuration = try AMQPConfiguration(url: url)
        configuration.connectTimeout = .seconds(10)
        let settings = configuration
        return try await withTimeout(seconds: 30) {
            let connection = try await settings.connect(logger: logger)
            do {
                _ = try await connection.openChannel()
            } catch {
                await connection.close()
                throw error
            }
            return connection
        }
    }

    /// The error connecting to `url` fails with.
    private static func failure(_ url: String) async throws -> AMQPConnectionError {
        do {
            let connection = try await open(url)
            await connection.close()
            Issue.record("connecting to \(url) should have failed")
            throw CancellationError()
        } catch let error as AMQPConnectionError {
            return error
        }
    }

    @Test(arguments: [false, true])
    func aBrokerRoundTripsOverVerifiedMutualTLS(aioPikaSpelling: Bool) async throws {
        let (server, certificates) = try await Self.server()
        let virtualHost = "t-tls-\(UUID().uuidString.prefix(12).lowercased())"
        _ = try await server.virtualHost(virtualHost)
        let query =
            aioPikaSpelling
            ? "cafile=\(certificates.caFile)&certfile=\(certificates.client.certFile)&keyfile=\(certificates.client.keyFile)&no_verify_ssl=0"
            : Self.trusted(certificates)
        let url = try #require(server.tlsURL(virtualHost: virtualHost, query))
        try await withTimeout(seconds: 60) {
            let broker = try RabbitMQBroker(url: url)
            try await broker.startup()
            // Larger than one TLS record (16 KiB), so records are split and joined both ways.
            let body =
                Array(#"{"task_id": "t1", "task_name": "tls.echo", "args": [""#.utf8)
                + [UInt8](repeating: UInt8(ascii: "x"), count: 100_000) + Array(#""]}"#.utf8)
            try await broker.kick(BrokerMessage(taskID: "t1", taskName: "tls.echo", message: body, labels: [:]))  // confirmed
            let deliveries = try await broker.listen()
            for try await message in deliveries {
                #expect(message.data == body)
                try await message.ack?()
                break
            }
            try await broker.shutdown()
            let check = try await Self.open(url)
            #expect(try await check.openChannel().declareQueue("taskiq", passive: true).messageCount == 0)
            await check.close()
        }
    }

    @Test(arguments: [
        ("wrongHost", "hostname mismatch"),
        ("otherCA", "certificate"),
        ("systemTrust", "certificate"),
    ])
    func aServerCertificateThatDoesNotVerifyIsRejectedClearly(_ situation: String, reason: String) async throws {
        let (server, certificates) = try await Self.server()
        let port = try #require(server.tlsPort)
        let host = "127.0.0.1"
        let query =
            switch situation {
            case "wrongHost": Self.trusted(certificates) + "&server_name=wrong.example.com"
            case "otherCA": Self.trusted(certificates, ca: certificates.otherCAFile)
            case "systemTrust": "cert_file=\(certificates.client.certFile)&key_file=\(certificates.client.keyFile)"
            default: Self.trusted(certificates)
            }
        let url = try #require(server.tlsURL(host: host, query))
        let error = try await Self.failure(url)
        #expect(error.code == .tlsFailed, "\(error)")
        #expect((error.underlying as? TLSError)?.code == .certificateRejected, "\(error)")
        #expect(error.description.contains("the server's certificate was rejected: "), "\(error)")
        #expect(error.description.contains(reason), "\(error)")
        #expect(error.description.contains("\(host):\(port)"), "\(error)")
        #expect(!error.description.contains(server.password + "@"), "\(error)")
        // The development switch accepts it, in our spelling and aio-pika's, and says so loudly.
        for skip in ["insecure_skip_verify=true", "no_verify_ssl=1"] {
            let sink = CollectingSink()
            let logger = Logger(label: "taskiq.rabbitmq", configuration: LoggingConfiguration(sink: sink))
            let connection = try await Self.open(try #require(server.tlsURL(host: host, "\(query)&\(skip)")), logger: logger)
            await connection.close()
            let warnings = sink.lines.filter { $0.contains("TLS certificate verification is OFF for \(host):\(port)") }
            #expect(warnings.count == 1 && warnings.allSatisfy { $0.contains("WARN") }, "\(sink.lines)")
        }
    }

    @Test func anExpiredServerCertificateIsRejectedClearly() async throws {
        let certificates = try TLSCertificates.shared()
        let server = try await RabbitMQServer.startPrivate(serverCertificate: certificates.expired)
        do {
            let port = try #require(server.tlsPort)
            let error = try await Self.failure(try #require(server.tlsURL(Self.trusted(certificates))))
            #expect(error.code == .tlsFailed, "\(error)")
            #expect((error.underlying as? TLSError)?.code == .certificateRejected, "\(error)")
            #expect(error.description.contains("certificate has expired"), "\(error)")
            #expect(error.description.contains("127.0.0.1:\(port)"), "\(error)")
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test func withoutAClientCertificateTheServerRefusesClearly() async throws {
        let (server, certificates) = try await Self.server()
        let port = try #require(server.tlsPort)
        let error = try await Self.failure(try #require(server.tlsURL("ca_file=\(certificates.caFile)")))
        #expect(error.code == .tlsFailed || error.code == .connectionLost, "\(error)")
        #expect(error.description.contains("127.0.0.1:\(port)"), "\(error)")
        #expect(error.description.contains("client certificate"), "\(error)")
    }

    @Test func aPlainTextClientAgainstTheTLSPortFailsClearly() async throws {
        let (server, _) = try await Self.server()
        let port = try #require(server.tlsPort)
        let error = try await Self.failure("amqp://guest:guest@127.0.0.1:\(port)/")
        #expect(error.description.contains("127.0.0.1:\(port)"), "\(error)")
        #expect(error.description.contains("amqps://"), "\(error)")
    }

    @Test func aTLSClientAgainstThePlainPortFailsClearly() async throws {
        let (server, certificates) = try await Self.server()
        let error = try await Self.failure("amqps://guest:guest@127.0.0.1:\(server.port)/?\(Self.trusted(certificates))")
        #expect(error.code == .tlsFailed, "\(error)")
        #expect(error.description.contains("127.0.0.1:\(server.port)"), "\(error)")
        #expect(error.description.contains("is the server speaking TLS on this port?"), "\(error)")
    }

    @Test func wrongCredentialsOverTLSAreRefusedWithThePasswordMasked() async throws {
        let (server, certificates) = try await Self.server()
        let port = try #require(server.tlsPort)
        let url = "amqps://guest:n0tTheP4ss@127.0.0.1:\(port)/?\(Self.trusted(certificates))"
        let error = try await Self.failure(url)
        #expect(error.code == .accessRefused, "\(error)")
        #expect(!error.description.contains("n0tTheP4ss"), "\(error)")
        let broker = try RabbitMQBroker(url: url)
        #expect(!broker.url.contains("n0tTheP4ss"))
        #expect(broker.url.hasPrefix("amqps://"))
    }
}
