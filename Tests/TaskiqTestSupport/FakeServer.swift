import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP listener that answers the first bytes of every connection with a fixed reply, to
/// test how a client copes with a misbehaving server.
package final class FakeServer: Sendable {
    /// The loopback port the server listens on.
    package let port: Int
    private let listener: Int32
    /// Set by the first ``close()``; a second one must not reach a descriptor number reused since.
    private let closed = Atomic<Bool>(false)

    /// Listens on a free loopback port and answers the first bytes each connection sends with `reply`.
    /// - Parameters:
    ///   - greeting: Sent as soon as a client connects, before anything is read (a server that
    ///     speaks first, as NATS does with INFO).
    ///   - everyCommand: Answer every RESP command with `reply` (one reply per `*` array that
    ///     starts a line), not only the first bytes: a server that refuses every command the same
    ///     way, whatever else the client sends on the connection, pipelined or not.
    package init(reply: [UInt8], greeting: [UInt8] = [], everyCommand: Bool = false) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 4) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else {
            Glibc.close(fd)
            throw RedisServer.StartError(description: "fake server: \(String(cString: strerror(errno)))")
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        // Every connection gets the same answer: a client that connects again (a retry under
        // load, a router refreshing its map) must not meet a silent server.
        let thread = Thread {
            while true {
                let client = accept(fd, nil, nil)
                guard client >= 0 else { return }
                Thread { Self.serve(client, greeting: greeting, reply: reply, everyCommand: everyCommand) }.start()
            }
        }
        thread.start()
    }

    /// Greets, answers the first bytes received (or every RESP command) with `reply`, and holds
    /// the connection until the peer closes it.
    private static func serve(_ client: Int32, greeting: [UInt8], reply: [UInt8], everyCommand: Bool) {
        if !greeting.isEmpty {
            _ = greeting.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        var buffer = [UInt8](repeating: 0, count: 4096)
        var answered = false
        var atLineStart = true
        while true {
            let count = recv(client, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            var replies = answered ? 0 : 1
            if everyCommand {
                replies = 0
                for byte in buffer[0..<count] {
                    if atLineStart, byte == UInt8(ascii: "*") { replies += 1 }
                    atLineStart = byte == UInt8(ascii: "\n")
                }
            }
            answered = true
            for _ in 0..<replies {
                _ = reply.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            }
        }
        Glibc.close(client)
    }

    /// Stops listening.
    package func close() {
        guard !closed.exchange(true, ordering: .sequentiallyConsistent) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        Glibc.close(listener)
    }
}
