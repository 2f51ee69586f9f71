import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Ports this test process has handed out, so two tests running in parallel never get the same one.
private let handedOut = Mutex<Set<UInt16>>([])

/// A TCP port on 127.0.0.1 that is free now and that no other caller in this process was given.
///
/// Ports come from 20000–32767, below Linux's ephemeral range (32768–60999): a port the kernel
/// picked with `bind(0)` could be taken as the source port of some outgoing connection (a Redis
/// client, a ZeroMQ peer) before the test's server binds it, which showed up as "Address already
/// in use" in loaded full runs.
package func freeLoopbackPort() -> UInt16 {
    var generator = SystemRandomNumberGenerator()
    while true {
        let candidate = UInt16.random(in: 20_000...32_767, using: &generator)
        let fresh = handedOut.withLock { $0.insert(candidate).inserted }
        if fresh, canBind(candidate) { return candidate }
    }
}

/// Whether a listening socket could bind `port` on 127.0.0.1 right now.
private func canBind(_ port: UInt16) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}
