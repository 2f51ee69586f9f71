import Foundation
import TaskiqTestSupport
import Testing

@testable import Taskiq

/// The one TCP layer over real loopback sockets: connect, listen/accept, send and receive,
/// timeouts, shutdown, and the errors each failure turns into.
@Suite struct TCPConnectionTests {
    /// A listener on an ephemeral loopback port and a client connected to it, accepted.
    static func pair() throws -> (listener: TCPListener, client: TCPConnection, server: TCPConnection) {
        let listener = try TCPListener.listen(on: .loopbackIPv4(port: 0))
        let client = try TCPConnection.connect(host: "127.0.0.1", port: listener.port, timeout: .seconds(5))
        let server = try #require(listener.accept())
        return (listener, client, server)
    }

    static func close(_ connections: TCPConnection..., listener: TCPListener) {
        for connection in connections {
            connection.shutdown()
            connection.close()
        }
        listener.shutdown()
        listener.close()
    }

    static func read(_ connection: TCPConnection, count: Int) throws -> [UInt8] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 1)
        defer { buffer.deallocate() }
        var bytes: [UInt8] = []
        while bytes.count < count {
            let read = try connection.receive(into: buffer)
            if read == 0 { break }
            bytes += buffer[0..<read]
        }
        return bytes
    }

    @Test func bytesTravelBothWaysAndTheListenerReportsItsPort() throws {
        let (listener, client, server) = try Self.pair()
        defer { Self.close(client, server, listener: listener) }
        #expect(listener.port != 0)
        #expect(client.peerName == "127.0.0.1:\(listener.port)")
        let large = (0..<300_000).map { UInt8(truncatingIfNeeded: $0) }
        let sender = Thread { try? client.sendAll(large) }
        sender.start()
        #expect(try Self.read(server, count: large.count) == large)
        try server.sendAll(Array("pong".utf8))
        #expect(try Self.read(client, count: 4) == Array("pong".utf8))
    }

    @Test func aRefusedConnectionSaysSo() {
        let port = freeLoopbackPort()
        let error = #expect(throws: TCPError.self) {
            try TCPConnection.connect(host: "127.0.0.1", port: port, timeout: .seconds(5))
        }
        #expect(error?.kind == .refused)
        #expect(error?.reason == "Connection refused")
    }

    @Test func anUnknownHostIsAResolveError() {
        let error = #expect(throws: TCPError.self) {
            try TCPConnection.connect(host: "no-such-host.invalid", port: 80, timeout: .seconds(5))
        }
        #expect(error?.kind == .unresolvedHost)
        #expect(error?.reason.isEmpty == false)
    }

    @Test func everyAddressIsTriedAndTheLastErrorIsThrown() throws {
        let addresses = [SocketAddress.loopbackIPv4(port: freeLoopbackPort()), .loopbackIPv4(port: freeLoopbackPort())]
        let error = #expect(throws: TCPError.self) {
            try TCPConnection.connect(to: addresses, timeout: .seconds(5))
        }
        #expect(error?.kind == .refused)
        let none = #expect(throws: TCPError.self) { try TCPConnection.connect(to: [], timeout: .seconds(5)) }
        #expect(none?.reason == "no address to connect to")
    }

    @Test func aReceiveTimeoutThrowsAndZeroWaitsAgain() throws {
        let (listener, client, server) = try Self.pair()
        defer { Self.close(client, server, listener: listener) }
        client.setReceiveTimeout(.milliseconds(50))
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 1)
        defer { buffer.deallocate() }
        let error = #expect(throws: TCPError.self) { try client.receive(into: buffer) }
        #expect(error?.kind == .receiveTimedOut)
        client.setReceiveTimeout(nil)
        try server.sendAll([1, 2, 3])
        #expect(try client.receive(into: buffer) == 3)
    }

    @Test func waitReadableTimesOutUntilBytesArrive() throws {
        let (listener, client, server) = try Self.pair()
        defer { Self.close(client, server, listener: listener) }
        #expect(client.waitReadable(timeout: .milliseconds(20)) == false)
        try server.sendAll([7])
        #expect(client.waitReadable(timeout: .seconds(5)))
        #expect(client.waitReadable(timeout: nil))
    }

    @Test func shutdownWakesABlockedReaderWithEndOfStream() async throws {
        let (listener, client, server) = try Self.pair()
        defer { Self.close(client, server, listener: listener) }
        let result = OnceContinuation<Int>()
        let reader = Thread {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 1)
            defer { buffer.deallocate() }
            result.resume(with: .success((try? client.receive(into: buffer)) ?? -1))
        }
        reader.start()
        client.shutdown()
        #expect(try await result.value == 0)
    }

    @Test func sendingToAClosedPeerFailsWithoutSIGPIPE() throws {
        let (listener, client, server) = try Self.pair()
        defer { Self.close(client, listener: listener) }
        server.close()
        let chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let error = #expect(throws: TCPError.self) {
            for _ in 0..<1000 { try client.sendAll(chunk) }
        }
        #expect(error?.kind == .sendFailed)
        #expect(error?.number != 0)
    }

    @Test func acceptReturnsNilOnceTheListenerIsShutDown() async throws {
        let listener = try TCPListener.listen(on: .loopbackIPv4(port: 0))
        let accepted = OnceContinuation<Bool>()
        let acceptor = Thread { accepted.resume(with: .success(listener.accept() != nil)) }
        acceptor.start()
        listener.shutdown()
        #expect(try await accepted.value == false)
        listener.close()
    }

    @Test func bindingAPortInUseIsABindError() throws {
        let first = try TCPListener.listen(on: .loopbackIPv4(port: 0))
        defer { first.close() }
        let error = #expect(throws: TCPError.self) { try TCPListener.listen(on: .loopbackIPv4(port: first.port)) }
        #expect(error?.kind == .bindFailed)
        #expect(error?.reason == "Address already in use")
    }

    @Test(arguments: [
        ("127.0.0.1", SocketAddress.Family.ipv4, "127.0.0.1:6379"),
        ("::1", .any, "[::1]:6379"),
        ("localhost", .ipv4, "127.0.0.1:6379"),
    ])
    func addressesResolveAndPrint(host: String, family: SocketAddress.Family, printed: String) throws {
        let addresses = try SocketAddress.resolve(host: host, port: 6379, family: family)
        #expect(addresses.first?.description == printed)
        #expect(addresses.first?.port == 6379)
    }

    @Test func ipv6LiteralsAreRecognised() {
        #expect(SocketAddress.isIPv6Literal("::1"))
        #expect(SocketAddress.isIPv6Literal("fe80::1"))
        #expect(!SocketAddress.isIPv6Literal("127.0.0.1"))
        #expect(!SocketAddress.isIPv6Literal("not an address"))
        #expect(SocketAddress.anyIPv4(port: 80).description == "0.0.0.0:80")
    }
}
