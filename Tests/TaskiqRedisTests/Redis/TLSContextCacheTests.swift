import Dispatch
import Foundation
import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqRedis

extension Redis {
    /// One OpenSSL context per TLS configuration, shared by every connection with it, across
    /// threads, against a real `redis-server` in TLS mode.
    @Suite(.enabled(if: TLSCertificates.shouldRun, TLSCertificates.skipMessage))
    struct TLSContextCacheTests {
        /// A TLS handshake with `server` on `host`, its OpenSSL context from `contexts`.
        private static func handshake(
            _ server: RedisServer, host: String = "localhost", _ configuration: TLSConfiguration,
            contexts: TLSContextCache
        ) throws {
            let tcp = try TCPConnection.connect(host: host, port: UInt16(server.port), timeout: .seconds(5))
            let connection = try TLSConnection.connect(
                over: tcp, host: host, peer: "\(host):\(server.port)",
                configuration: configuration, timeout: .seconds(10), contexts: contexts)
            try connection.sendAll(Array("PING\r\n".utf8))
            var reply: [UInt8] = []
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 1)
            defer { buffer.deallocate() }
            while !reply.contains(UInt8(ascii: "\n")) {
                #expect(connection.waitReadable(timeout: .seconds(10)))
                let count = try connection.receive(into: buffer)
                guard count > 0 else { break }
                reply += buffer[0..<count]
            }
            #expect(String(decoding: reply, as: UTF8.self) == "+PONG\r\n")
            connection.close()
        }

        @Test func connectionsWithOneConfigurationShareOneContextAcrossThreads() async throws {
            let certificates = try TLSCertificates.shared()
            let tls = RedisServer.TLS(certificates.server, caFile: certificates.caFile)
            try await RedisServer.with(tls: tls) { server in
                let contexts = TLSContextCache()
                let verified = TLSConfiguration(caFile: certificates.caFile)
                for host in ["localhost", "127.0.0.1", "localhost"] {  // the name is per session, not per context
                    try Self.handshake(server, host: host, verified, contexts: contexts)
                }
                #expect(contexts.count == 1)
                try Self.handshake(server, TLSConfiguration(caFile: certificates.caFile, serverName: "localhost"), contexts: contexts)
                #expect(contexts.count == 1, "server_name does not need a context of its own")
                // Sessions made from the one context on many threads at once, the first among them included.
                let shared = TLSContextCache()
                let failures = Mutex<[String]>([])
                DispatchQueue.concurrentPerform(iterations: 8) { _ in
                    do { try Self.handshake(server, verified, contexts: shared) } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }
                #expect(failures.withLock { $0 } == [])
                #expect(shared.count == 1, "concurrent first connections make one context")
                let client = certificates.client
                try Self.handshake(
                    server, TLSConfiguration(caFile: certificates.caFile, certFile: client.certFile, keyFile: client.keyFile),
                    contexts: contexts)
                #expect(contexts.count == 2, "a client certificate is another context")
            }
        }

        @Test func aContextThatCannotBeMadeIsNotKept() async throws {
            let certificates = try TLSCertificates.shared()
            try await RedisServer.with(tls: .init(certificates.server, caFile: certificates.caFile)) { server in
                let directory = FileManager.default.temporaryDirectory.appendingPathComponent("taskiq-ca-\(UUID().uuidString.prefix(8))")
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: directory) }
                let caFile = directory.appendingPathComponent("ca.pem").path
                let configuration = TLSConfiguration(caFile: caFile)
                let contexts = TLSContextCache()
                #expect(throws: TLSError.self) { try Self.handshake(server, configuration, contexts: contexts) }
                #expect(contexts.count == 0)
                // The file appears (a secret mounted late): the next connection reads it.
                try FileManager.default.copyItem(atPath: certificates.caFile, toPath: caFile)
                try Self.handshake(server, configuration, contexts: contexts)
                #expect(contexts.count == 1)
            }
        }
    }
}
