import Foundation
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqRedis

extension Redis {
    /// `rediss://` against real `redis-server`s in TLS mode, with certificates made by `openssl`.
    @Suite(.enabled(if: TLSCertificates.shouldRun, TLSCertificates.skipMessage))
    struct RedisTLSTests {
        /// Connects with `url` (a short connect timeout) and sends `PING`.
        private static func ping(_ url: String, connectTimeout: Duration = .seconds(5)) async throws -> RESPValue {
            var settings = try RedisConfiguration(url: url)
            settings.connectTimeout = connectTimeout
            let configuration = settings
            return try await withTimeout(seconds: 20) {
                let connection = try await RedisConnection.connect(configuration)
                defer { connection.close() }
                return try await connection.send(["PING"])
            }
        }

        /// The error connecting to `url` fails with.
        private static func failure(_ url: String, connectTimeout: Duration = .seconds(5)) async throws -> RedisConnectionError {
            do {
                let reply = try await ping(url, connectTimeout: connectTimeout)
                Issue.record("connecting to \(url) should have failed, got \(reply)")
                throw CancellationError()
            } catch let error as RedisConnectionError {
                return error
            }
        }

        private static func url(_ server: RedisServer, host: String = "localhost", _ query: String) -> String {
            "rediss://\(host):\(server.port)?\(query)"
        }

        @Test func aVerifiedConnectionCarriesCommandsAndAuthenticatesACLUsers() async throws {
            let certificates = try TLSCertificates.shared()
            try await RedisServer.with(password: "s3cret", tls: .init(certificates.server, caFile: certificates.caFile)) { server in
                for host in ["localhost", "127.0.0.1"] {  // a DNS name in the certificate, and an IP address
                    let reply = try await Self.ping("rediss://:s3cret@\(host):\(server.port)?ca_file=\(certificates.caFile)")
                    #expect(reply.string == "PONG")
                }
                var configuration = try RedisConfiguration(
                    url: "rediss://:s3cret@localhost:\(server.port)/2?ca_file=\(certificates.caFile)")
                configuration.connectTimeout = .seconds(5)
                let connection = try await RedisConnection.connect(configuration)
                defer { connection.close() }
                // Larger than one TLS record (16 KiB) both ways, and concurrent commands.
                let value = String(repeating: "0123456789abcdef", count: 20_000)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<8 {
                        group.addTask { try await connection.send(["SET", "k\(index)", value + "\(index)"]) }
                    }
                    try await group.waitForAll()
                }
                for index in 0..<8 { #expect(try await connection.send(["GET", "k\(index)"]).string == value + "\(index)") }
                try await connection.send(["ACL", "SETUSER", "worker", "on", ">w0rker", "~*", "+@all"])
                let user = try await Self.ping("rediss://worker:w0rker@localhost:\(server.port)?ca_file=\(certificates.caFile)")
                #expect(user.string == "PONG")
                let wrong = try await Self.failure("rediss://worker:nope@localhost:\(server.port)?ca_file=\(certificates.caFile)")
                #expect(wrong.code == .authenticationFailed)
            }
        }

        @Test func aStreamBrokerRoundTripsOverTLS() async throws {
            let certificates = try TLSCertificates.shared()
            try await RedisServer.with(tls: .init(certificates.server, caFile: certificates.caFile)) { server in
                let broker = try RedisStreamBroker(
                    url: server.url,
                    options: RedisStreamBrokerOptions(
                        xreadBlock: .milliseconds(500), leaseTTL: .seconds(1),
                        leaseRenewInterval: .milliseconds(200)),
                    resultBackend: InMemoryResultBackend(maxStoredResults: -1))
                let add = broker.task("add") { (a: Int, b: Int) async throws -> Int in a + b }
                try await Redis.withWorker(broker) { _ in
                    let handle = try await add.kiq(20, 22)
                    #expect(try await handle.waitResult(timeout: .seconds(10)).returnValue == 42)
                }
            }
        }

        @Test func mutualTLSNeedsTheClientCertificate() async throws {
            let certificates = try TLSCertificates.shared()
            let tls = RedisServer.TLS(certificates.server, caFile: certificates.caFile, requireClientCertificate: true)
            try await RedisServer.with(tls: tls) { server in
                let refused = try await Self.failure(Self.url(server, "ca_file=\(certificates.caFile)"))
                // Under TLS 1.3 the server refuses after the client's handshake is done: the
                // first read or write of the Redis handshake fails, with a hint.
                #expect(refused.description.contains("does it require a client certificate? set cert_file and key_file"), "\(refused)")
                let client = certificates.client
                let reply = try await Self.ping(
                    Self.url(server, "ca_file=\(certificates.caFile)&cert_file=\(client.certFile)&key_file=\(client.keyFile)"))
                #expect(reply.string == "PONG")
            }
        }

        @Test(arguments: [
            ("wrongHost", "hostname mismatch"),
            ("expired", "certificate has expired"),
            // redis-server sends its CA with its certificate, so a client that does not trust the CA
            // sees a self-signed certificate in the chain.
            ("otherCA", "self-signed certificate in certificate chain"),
            ("systemTrust", "self-signed certificate in certificate chain"),
        ])
        func aCertificateThatDoesNotVerifyIsRejected(_ situation: String, reason: String) async throws {
            let certificates = try TLSCertificates.shared()
            let pair =
                switch situation {
                case "wrongHost": certificates.wrongHost
                case "expired": certificates.expired
                default: certificates.server
                }
            let caFile =
                switch situation {
                case "otherCA": "ca_file=\(certificates.otherCAFile)"
                case "systemTrust": ""
                default: "ca_file=\(certificates.caFile)"
                }
            try await RedisServer.with(tls: .init(pair, caFile: certificates.caFile)) { server in
                let error = try await Self.failure(Self.url(server, caFile))
                #expect(error.code == .tlsFailed)
                #expect((error.underlying as? TLSError)?.code == .certificateRejected)
                #expect(error.description.contains(reason), "\(error)")
                #expect(error.description.contains("localhost:\(server.port)"), "\(error)")
                // The development switch accepts it, and only it.
                let reply = try await Self.ping(Self.url(server, "\(caFile)&insecure_skip_verify=true"))
                #expect(reply.string == "PONG")
            }
        }

        @Test func skippingVerificationIsLoggedAsAWarningOnEveryConnection() async throws {
            let certificates = try TLSCertificates.shared()
            try await RedisServer.with(tls: .init(certificates.expired, caFile: certificates.caFile)) { server in
                let sink = CollectingSink()
                let logger = Logger(label: "taskiq.tls", configuration: LoggingConfiguration(sink: sink))
                // Ours and redis-py's spelling, each connection warned about (the context is shared).
                for option in ["insecure_skip_verify=true", "ssl_cert_reqs=none"] {
                    let configuration = try #require(try RedisConfiguration(url: "rediss://127.0.0.1:\(server.port)?\(option)").tls)
                    let tcp = try TCPConnection.connect(host: "127.0.0.1", port: UInt16(server.port), timeout: .seconds(5))
                    let connection = try TLSConnection.connect(
                        over: tcp, host: "127.0.0.1", peer: "127.0.0.1:\(server.port)",
                        configuration: configuration, timeout: .seconds(5), logger: logger)
                    try connection.sendAll(Array("PING\r\n".utf8))
                    var reply = [UInt8](repeating: 0, count: 64)
                    #expect(connection.waitReadable(timeout: .seconds(5)))
                    let count = try reply.withUnsafeMutableBytes { try connection.receive(into: $0) }
                    #expect(String(decoding: reply[0..<count], as: UTF8.self) == "+PONG\r\n")
                    connection.shutdown()
                    connection.close()
                }
                let warnings = sink.lines.filter { $0.contains("TLS certificate verification is OFF for 127.0.0.1:\(server.port)") }
                #expect(warnings.count == 2, "\(sink.lines)")
                #expect(warnings.allSatisfy { $0.contains("WARN") }, "\(warnings)")
            }
        }

        @Test func aPlainTextServerBehindRedissFailsClearly() async throws {
            try await RedisServer.with { server in
                let error = try await Self.failure("rediss://127.0.0.1:\(server.port)", connectTimeout: .seconds(2))
                #expect(error.code == .tlsFailed || error.code == .timeout, "\(error)")
                #expect(error.description.contains("is the server speaking TLS on this port?"), "\(error)")
            }
        }

        @Test func aStalledHandshakeTimesOut() async throws {
            let silent = try FakeServer(reply: [])  // reads the ClientHello, never answers
            defer { silent.close() }
            let error = try await Self.failure("rediss://127.0.0.1:\(silent.port)", connectTimeout: .milliseconds(500))
            #expect(error.code == .timeout)
            #expect((error.underlying as? TLSError)?.code == .timeout)
            #expect(error.description.contains("TLS handshake did not finish"), "\(error)")
        }

        @Test func unusableCertificateFilesAreClearErrors() async throws {
            let certificates = try TLSCertificates.shared()
            try await RedisServer.with(tls: .init(certificates.server, caFile: certificates.caFile)) { server in
                let missing = try await Self.failure(Self.url(server, "ca_file=/nonexistent/ca.pem"))
                #expect((missing.underlying as? TLSError)?.code == .invalidConfiguration)
                #expect(missing.description.contains("cannot use ca_file '/nonexistent/ca.pem'"), "\(missing)")
                let mismatched = try await Self.failure(
                    Self.url(
                        server,
                        "ca_file=\(certificates.caFile)&cert_file=\(certificates.client.certFile)&key_file=\(certificates.server.keyFile)"))
                #expect((mismatched.underlying as? TLSError)?.code == .invalidConfiguration)
                #expect(mismatched.description.contains("cannot use key_file"), "\(mismatched)")
                #expect(mismatched.description.contains("key values mismatch"), "\(mismatched)")
                // An encrypted key is refused with what to do, never a passphrase prompt on the terminal.
                let encryptedKey = FileManager.default.temporaryDirectory.appendingPathComponent(
                    "taskiq-enc-\(UUID().uuidString.prefix(8)).key"
                ).path
                defer { try? FileManager.default.removeItem(atPath: encryptedKey) }
                let openssl = Process()
                openssl.executableURL = URL(fileURLWithPath: try #require(TLSCertificates.executable))
                openssl.arguments = [
                    "pkey", "-in", certificates.client.keyFile, "-aes256", "-passout", "pass:s3cret", "-out", encryptedKey,
                ]
                try openssl.run()
                openssl.waitUntilExit()
                #expect(openssl.terminationStatus == 0)
                let encrypted = try await Self.failure(
                    Self.url(
                        server, "ca_file=\(certificates.caFile)&cert_file=\(certificates.client.certFile)&key_file=\(encryptedKey)"))
                #expect((encrypted.underlying as? TLSError)?.code == .invalidConfiguration)
                #expect(encrypted.description.contains("the key is encrypted, and only unencrypted keys are read"), "\(encrypted)")
                #expect(!encrypted.description.contains("UI routines"), "OpenSSL must not try to ask on the terminal: \(encrypted)")
            }
        }
    }
}
