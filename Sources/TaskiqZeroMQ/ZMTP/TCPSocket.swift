import Glibc
import Taskiq

/// A blocking POSIX TCP socket: the only place ZMTP code calls into Glibc.
///
/// Every send uses `MSG_NOSIGNAL` so a vanished peer cannot raise SIGPIPE, and ``shutdown()``
/// comes before ``close()`` because only `shutdown` wakes a thread blocked in `recv`/`accept`.
struct TCPSocket: Sendable {
    let fd: Int32

    /// Creates a listening socket; returns it with the port actually bound.
    static func listen(on endpoint: ZMTPEndpoint, backlog: Int32 = 128) throws -> (TCPSocket, UInt16) {
        var address = try endpoint.socketAddress(binding: true)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ZMTPError(.bindFailed, "cannot create a socket for \(endpoint): \(errnoText())") }
        let socket = TCPSocket(fd: fd)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            let reason = errnoText()
            socket.close()
            throw ZMTPError(.bindFailed, "cannot bind \(endpoint): \(reason)")
        }
        guard Glibc.listen(fd, backlog) == 0 else {
            let reason = errnoText()
            socket.close()
            throw ZMTPError(.bindFailed, "cannot listen on \(endpoint): \(reason)")
        }
        var local = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (socket, UInt16(bigEndian: local.sin_port))
    }

    /// Connects, giving up after `timeout` seconds; the socket has TCP_NODELAY set.
    static func connect(to endpoint: ZMTPEndpoint, timeout: Double) throws -> TCPSocket {
        var address = try endpoint.socketAddress(binding: false)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ZMTPError(.connectFailed, "cannot create a socket for \(endpoint): \(errnoText())") }
        let socket = TCPSocket(fd: fd)
        socket.setTimeout(SO_SNDTIMEO, seconds: timeout)  // Linux bounds connect() by SO_SNDTIMEO.
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let reason = errnoText()
            socket.close()
            throw ZMTPError(.connectFailed, "cannot connect to \(endpoint): \(reason)")
        }
        socket.setTimeout(SO_SNDTIMEO, seconds: 0)
        socket.setNoDelay()
        return socket
    }

    /// Waits for a client; `nil` once the listener is shut down or fails for good.
    func accept() -> TCPSocket? {
        while true {
            let client = Glibc.accept(fd, nil, nil)
            if client >= 0 {
                let socket = TCPSocket(fd: client)
                socket.setNoDelay()
                return socket
            }
            switch errno {
            case EINTR, ECONNABORTED, EPROTO: continue
            case EMFILE, ENFILE, ENOBUFS, ENOMEM: usleep(100_000)  // Out of descriptors: retry later.
            default: return nil
            }
        }
    }

    /// Sends every byte; `false` if the connection failed.
    func sendAll(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let sent = Glibc.send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if sent < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += sent
            }
            return true
        }
    }

    /// Reads what is available: the byte count, 0 at end of stream, -1 on error (see `errno`).
    func receive(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        while true {
            let count = recv(fd, buffer.baseAddress, buffer.count, 0)
            if count < 0, errno == EINTR { continue }
            return count
        }
    }

    /// Bytes sent on this socket that the peer's TCP has not acknowledged (Linux `SIOCOUTQ`), 0 if unknown.
    ///
    /// It grows once the peer stops reading and its receive window closes: the one sign of a
    /// stalled peer that ZMTP, which has no acknowledgements, gives the sender.
    func unacknowledgedBytes() -> Int {
        var count: Int32 = 0
        guard ioctl(fd, UInt(0x5411), &count) == 0 else { return 0 }  // SIOCOUTQ (= TIOCOUTQ)
        return Int(count)
    }

    /// Sets `SO_RCVTIMEO` (0 = wait forever); used to bound the handshake.
    func setReceiveTimeout(seconds: Double) { setTimeout(SO_RCVTIMEO, seconds: seconds) }

    /// Wakes every thread blocked on this socket; safe to call more than once.
    func shutdown() { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }

    /// Releases the descriptor; call once, after every thread using it has finished.
    func close() { _ = Glibc.close(fd) }

    /// The peer's address as `ip:port`, for logs.
    var peerName: String {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let status = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        guard status == 0 else { return "unknown" }
        var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        inet_ntop(AF_INET, &address.sin_addr, &text, socklen_t(INET_ADDRSTRLEN))
        let host = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return "\(host):\(UInt16(bigEndian: address.sin_port))"
    }

    private func setNoDelay() {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    private func setTimeout(_ option: Int32, seconds: Double) {
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.towardZero)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, option, &value, socklen_t(MemoryLayout<timeval>.size))
    }
}

/// The current `errno` as text, such as "Connection refused".
func errnoText() -> String { String(cString: strerror(errno)) }
