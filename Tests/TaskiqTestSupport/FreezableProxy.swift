import Foundation
import Synchronization
import Taskiq

/// A loopback TCP proxy in front of a real server that can stop passing bytes on, to make a
/// live server look like a dead peer (no FIN, no RST: just silence) without touching it.
///
/// It serves one client. Frozen, it keeps reading both sides and drops what it reads. Holding
/// replies, it passes the client's bytes on but keeps the server's until ``releaseReplies()``.
package final class FreezableProxy: Sendable {
    /// The port clients connect to.
    package let port: UInt16
    private let listener: TCPListener
    private let frozen = Atomic<Bool>(false)
    private let streams = Mutex<[TCPConnection]>([])
    /// `nil` while replies flow; the held server bytes while holding.
    private let held = Mutex<[UInt8]?>(nil)

    /// Listens on a free loopback port and forwards its first client to `127.0.0.1:upstreamPort`.
    package init(upstreamPort: UInt16) throws {
        let port = freeLoopbackPort()
        listener = try TCPListener.listen(on: .loopbackIPv4(port: port))
        self.port = port
        let thread = Thread { [self] in
            guard let client = listener.accept() else { return }
            guard let server = try? TCPConnection.connect(host: "127.0.0.1", port: upstreamPort, timeout: .seconds(5)) else {
                client.shutdown()
                return
            }
            streams.withLock { $0 = [client, server] }
            let reverse = Thread { [self] in pump(from: server, to: client, holdable: true) }
            reverse.start()
            pump(from: client, to: server, holdable: false)
        }
        thread.start()
    }

    /// Stops forwarding in both directions; the connections stay open.
    package func freeze() { frozen.store(true, ordering: .sequentiallyConsistent) }

    /// Keeps what the server sends from now on instead of passing it to the client.
    package func holdReplies() { held.withLock { if $0 == nil { $0 = [] } } }

    /// Passes the held server bytes on and lets replies flow again.
    package func releaseReplies() {
        let client = streams.withLock { $0.first }
        held.withLock { bytes in
            if let pending = bytes, !pending.isEmpty { try? client?.sendAll(pending) }
            bytes = nil
        }
    }

    /// Drops both connections and stops listening.
    package func close() {
        listener.shutdown()
        for stream in streams.withLock({ $0 }) { stream.shutdown() }
    }

    private func pump(from source: TCPConnection, to destination: TCPConnection, holdable: Bool) {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = (try? buffer.withUnsafeMutableBytes { try source.receive(into: $0) }) ?? 0
            guard count > 0 else { break }
            if frozen.load(ordering: .sequentiallyConsistent) { continue }
            let chunk = Array(buffer[0..<count])
            // Sent under the lock, so a release cannot overtake bytes read before it.
            let failed = held.withLock { bytes -> Bool in
                if holdable, bytes != nil {
                    bytes! += chunk
                    return false
                }
                do { try destination.sendAll(chunk) } catch { return true }
                return false
            }
            if failed { break }
        }
        // Frozen, the end of one side is not passed on either: a dead peer sends no FIN. (The
        // server may close its side first, having missed the client's heartbeats.)
        if !frozen.load(ordering: .sequentiallyConsistent) { destination.shutdown() }
    }
}
