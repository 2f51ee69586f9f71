import Foundation
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqRedis

extension Redis {
    /// A TLS peer that stops sending, inside the handshake or in the middle of a record after
    /// it: the client's wait ends by its timeout or by cancellation, never hangs. A real
    /// `redis-server` in TLS mode behind a ``StallingProxy``.
    @Suite(.enabled(if: TLSCertificates.shouldRun, TLSCertificates.skipMessage))
    struct RedisTLSStallTests {
        private static func configuration(
            _ proxy: StallingProxy, connectTimeout: Duration,
            commandTimeout: Duration = .seconds(120)
        ) throws -> RedisConfiguration {
            var configuration = try RedisConfiguration(
                url: "rediss://127.0.0.1:\(proxy.port)?ca_file=\(try TLSCertificates.shared().caFile)")
            configuration.connectTimeout = connectTimeout
            configuration.commandTimeout = commandTimeout
            return configuration
        }

        private static func isCancellation(_ error: any Error) -> Bool {
            error is CancellationError || (error as? RedisConnectionError)?.code == .closedLocally
        }

        @Test func cancellingDuringTheHandshakeEndsTheConnect() async throws {
            let certificates = try TLSCertificates.shared()
            try await RedisServer.with(tls: .init(certificates.server, caFile: certificates.caFile)) { server in
                let proxy = try StallingProxy(to: server.port, stallAfter: 0)  // the ServerHello never arrives
                defer { proxy.close() }
                let configuration = try Self.configuration(proxy, connectTimeout: .seconds(120))
                let attempt = Task { try await RedisConnection.connect(configuration) }
                await proxy.clientSpoke.wait()  // the ClientHello is out: the handshake is under way
                await proxy.held.wait()  // and the server's answer is being held back
                attempt.cancel()
                // Far sooner than the 120 s connect timeout, or the deadline fails the test.
                let outcome = try await withTimeout(seconds: 30) { await attempt.result }
                switch outcome {
                case .success: Issue.record("the connect should have been cancelled")
                case .failure(let error):
                    #expect(Self.isCancellation(error), "\(error)")
                    if let error = error as? RedisConnectionError {
                        #expect((error.underlying as? TLSError)?.code == .cancelled, "\(error)")
                    }
                }
                // The caller is released at once; the handshake itself must stop too and close
                // its socket, rather than wait out the connect timeout on its thread.
                try await withTimeout(seconds: 30) { await proxy.clientClosed.wait() }
            }
        }

        @Test func aRecordCutShortAfterTheHandshakeTimesOutTheCommand() async throws {
            let certificates = try TLSCertificates.shared()
            try await RedisServer.with(tls: .init(certificates.server, caFile: certificates.caFile)) { server in
                let proxy = try StallingProxy(to: server.port)
                defer { proxy.close() }
                let configuration = try Self.configuration(proxy, connectTimeout: .seconds(10), commandTimeout: .seconds(3))
                let connection = try await RedisConnection.connect(configuration)
                defer { connection.close() }
                #expect(try await connection.send(["PING"]).string == "PONG")
                proxy.stall(after: 3)  // part of the next record's 5-byte header, then nothing
                let outcome = try await withTimeout(seconds: 30) { () -> Result<RESPValue, any Error> in
                    do { return .success(try await connection.send(["PING"])) } catch { return .failure(error) }
                }
                switch outcome {
                case .success(let reply): Issue.record("a reply through a stalled record: \(reply)")
                case .failure(let error): #expect((error as? RedisConnectionError)?.code == .timeout, "\(error)")
                }
            }
        }

        @Test func aReadStalledMidRecordIsCancellable() async throws {
            let certificates = try TLSCertificates.shared()
            try await RedisServer.with(tls: .init(certificates.server, caFile: certificates.caFile)) { server in
                let proxy = try StallingProxy(to: server.port)
                defer { proxy.close() }
                let connection = try await RedisConnection.connect(try Self.configuration(proxy, connectTimeout: .seconds(10)))
                defer { connection.close() }
                #expect(try await connection.send(["PING"]).string == "PONG")
                proxy.stall(after: 7)  // a whole record header and two bytes of its body
                let value = String(repeating: "x", count: 64 * 1024)  // a reply of several records
                let reading = Task { try await connection.send(["ECHO", value]) }
                await proxy.held.wait()  // the reply is cut: the client waits inside a record
                reading.cancel()
                let outcome = try await withTimeout(seconds: 30) { await reading.result }
                switch outcome {
                case .success: Issue.record("a reply through a stalled record")
                case .failure(let error): #expect(Self.isCancellation(error), "\(error)")
                }
            }
        }
    }
}
