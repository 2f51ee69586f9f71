import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP proxy in front of one server port that can stop passing the server's bytes on
/// at a chosen point, to test that a client never hangs on a peer that stalls (for TLS: inside
/// a handshake, or in the middle of a record).
///
/// One client connection at a time; bytes from the client always reach the server.
package final class StallingProxy: Sendable {
    /// The loopback port clients connect to.
    package let port: Int
    private let listener: Int32
    /// Set by the first ``close()``; a second one must not reach a descriptor number reused since.
    private let closed = Atomic<Bool>(false)
    /// How many more bytes of the server's may reach the client; `nil` for all of them.
    private let allowance = Mutex<Int?>(nil)
    private let sockets = Mutex<[Int32]>([])
    /// Opened when the client sends its first bytes (for TLS, the ClientHello).
    package let clientSpoke = AsyncGate()
    /// Opened when the first of the server's bytes is held back: the client now waits for them.
    package let held = AsyncGate()
    /// Opened when the client closes its connection (or it fails).
    package let clientClosed = AsyncGate()

    /// Listens on a free loopback port and forwards each connection to `127.0.0.1:targetPort`.
    /// - Parameter stallAfter: Pass only this many of the server's bytes from the start; `nil` passes all.
    package init(to targetPort: Int, stallAfter: Int? = nil) throws {
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
            throw RedisServer.StartError(description: "stalling proxy: \(String(cString: strerror(errno)))")
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        allowance.withLock { $0 = stallAfter }
        Thread { [self] in
            while case let client = accept(fd, nil, nil), client >= 0 {
                guard let server = Self.connectLoopback(targetPort) else {
                    Glibc.close(client)
                    continue
                }
                sockets.withLock { $0 += [client, server] }
                Thread { [self] in forward(from: client, to: server, isServer: false) }.start()
                Thread { [self] in forward(from: server, to: client, isServer: true) }.start()
            }
        }.start()
    }

    /// From now on, passes at most `bytes` more of the server's bytes to the client and holds the rest.
    package func stall(after bytes: Int) {
        allowance.withLock { $0 = bytes }
    }

    /// Stops listening and closes every connection.
    package func close() {
        guard !closed.exchange(true, ordering: .sequentiallyConsistent) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        Glibc.close(listener)
        for fd in sockets.withLock({ $0 }) { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private func forward(from source: Int32, to destination: Int32, isServer: Bool) {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        var spoke = false
        while true {
            let count = recv(source, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            if !isServer, !spoke {
                spoke = true
                Task { await clientSpoke.open() }
            }
            var passed = count
            if isServer {
                passed = allowance.withLock { allowance in
                    guard let left = allowance else { return count }
                    allowance = left - min(left, count)
                    return min(left, count)
                }
            }
            if passed < count { Task { await held.open() } }
            if passed > 0, buffer.withUnsafeBytes({ send(destination, $0.baseAddress, passed, Int32(MSG_NOSIGNAL)) }) < 0 { break }
        }
        // Held bytes are dropped.
        shutdown(destination, Int32(SHUT_WR))
        if !isServer { Task { await clientClosed.open() } }
    }

    private static func connectLoopback(_ port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        if connected { return fd }
        Glibc.close(fd)
        return nil
    }
}
