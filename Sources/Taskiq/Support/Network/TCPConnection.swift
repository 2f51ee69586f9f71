import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A connected, blocking TCP socket: the one place the transports call into the system for TCP.
///
/// Connections have `TCP_NODELAY` set (the protocols batch their own writes) and close on
/// `exec`. Every send uses `MSG_NOSIGNAL`, so a vanished peer is an error rather than a
/// `SIGPIPE` that kills the process; ``shutdown()`` comes before ``close()`` because only
/// `shutdown` wakes a thread blocked in `recv`.
package struct TCPConnection: ByteStream, Sendable {
    /// The socket's descriptor.
    package let descriptor: Int32
    /// Shared by every copy: the descriptor is closed once. A second `close()` (a connection's
    /// thread and a server's shutdown both closing it, say) would otherwise close whatever
    /// socket the system has since given that number, another connection of the same process.
    private let closed = ClosedFlag()

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Resolves `host` and connects to the first of its addresses that accepts.
    /// - Throws: ``TCPError``: `unresolvedHost`, or what ``connect(to:timeout:keepAlive:isCancelled:)`` throws.
    package static func connect(
        host: String, port: UInt16, timeout: Duration, keepAlive: Bool = false,
        isCancelled: () -> Bool = { false }
    ) throws(TCPError) -> TCPConnection {
        let addresses = try SocketAddress.resolve(host: host, port: port)
        return try connect(to: addresses, timeout: timeout, keepAlive: keepAlive, isCancelled: isCancelled)
    }

    /// Connects to the first of `addresses` that accepts within `timeout` (shared by all of them).
    ///
    /// The attempt stops at the first `deadlineExceeded` or `cancelled`; otherwise the last
    /// address's error is thrown.
    /// - Parameters:
    ///   - keepAlive: Sets `SO_KEEPALIVE`, so a peer that vanished is noticed on an idle connection.
    ///   - isCancelled: Polled every 50 ms while connecting.
    package static func connect(
        to addresses: [SocketAddress], timeout: Duration, keepAlive: Bool = false,
        isCancelled: () -> Bool = { false }
    ) throws(TCPError) -> TCPConnection {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var lastError = TCPError(.connectFailed, reason: "no address to connect to")
        for address in addresses {
            do {
                return try connect(
                    to: address, timeout: timeout, deadline: deadline, keepAlive: keepAlive,
                    isCancelled: isCancelled)
            } catch {
                lastError = error
                if error.kind == .deadlineExceeded || error.kind == .cancelled { break }
            }
        }
        throw lastError
    }

    private static func connect(
        to address: SocketAddress, timeout: Duration, deadline: ContinuousClock.Instant,
        keepAlive: Bool, isCancelled: () -> Bool
    ) throws(TCPError) -> TCPConnection {
        let fd = try openSocket(family: address.family)
        var keep = false
        defer { if !keep { _ = systemClose(fd) } }
        let flags = fcntl(fd, F_GETFL, 0)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        if address.withSockaddr({ systemConnect(fd, $0, $1) }) != 0 {
            guard errno == EINPROGRESS else { throw connectError(errno) }
            while true {
                if isCancelled() { throw TCPError(.cancelled, reason: "connecting was cancelled") }
                let remaining = ContinuousClock.now.duration(to: deadline)
                guard remaining > .zero else {
                    throw TCPError(.deadlineExceeded, reason: "connecting took longer than \(timeout)")
                }
                var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let result = poll(&pfd, 1, Int32(min(49, max(0, remaining.wholeMilliseconds)) + 1))
                if result < 0, errno != EINTR { throw connectError(errno) }
                if result > 0 { break }
            }
            var soError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length)
            guard soError == 0 else { throw connectError(soError) }
        }
        _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)
        let connection = TCPConnection(descriptor: fd)
        connection.setFlag(Int32(IPPROTO_TCP), TCP_NODELAY)
        if keepAlive { connection.setFlag(SOL_SOCKET, SO_KEEPALIVE) }
        keep = true
        return connection
    }

    /// A new stream socket of `family` that closes on `exec`.
    static func openSocket(family: Int32) throws(TCPError) -> Int32 {
        #if canImport(Glibc)
        let fd = socket(family, SocketAddress.streamType | Int32(SOCK_CLOEXEC.rawValue), Int32(IPPROTO_TCP))
        #else
        let fd = socket(family, SocketAddress.streamType, Int32(IPPROTO_TCP))
        if fd >= 0 {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            TCPConnection(descriptor: fd).setFlag(SOL_SOCKET, SO_NOSIGPIPE)
        }
        #endif
        guard fd >= 0 else { throw TCPError(.socketFailed, number: errno, reason: SystemError.text()) }
        return fd
    }

    private static func connectError(_ code: Int32) -> TCPError {
        let reason = SystemError.text(code)
        switch code {
        case ECONNREFUSED: return TCPError(.refused, number: code, reason: reason)
        case ETIMEDOUT: return TCPError(.connectTimedOut, number: code, reason: reason)
        default: return TCPError(.connectFailed, number: code, reason: reason)
        }
    }

    package func sendAll(_ bytes: [UInt8]) throws(TCPError) {
        let failure: Int32? = bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let sent = send(descriptor, buffer.baseAddress! + offset, buffer.count - offset, Self.noSignal)
                if sent < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += sent
            }
            return nil
        }
        if let failure { throw TCPError(.sendFailed, number: failure, reason: SystemError.text(failure)) }
    }

    /// Sends what the socket's buffer takes now, without waiting and ignoring errors: for a
    /// last word before closing (TLS `close_notify`).
    package func sendWithoutWaiting(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Self.noSignal | Int32(MSG_DONTWAIT)) }
    }

    package func receive(into buffer: UnsafeMutableRawBufferPointer) throws(TCPError) -> Int {
        while true {
            let count = recv(descriptor, buffer.baseAddress, buffer.count, 0)
            if count >= 0 { return count }
            let code = errno
            switch code {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: throw TCPError(.receiveTimedOut, number: code, reason: SystemError.text(code))
            default: throw TCPError(.receiveFailed, number: code, reason: SystemError.text(code))
            }
        }
    }

    package func waitReadable(timeout: Duration?) -> Bool {
        var pfd = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let result = poll(&pfd, 1, timeout.map { Int32(min(max(0, $0.wholeMilliseconds), 59_999) + 1) } ?? -1)
        return result != 0
    }

    /// Bounds each ``receive(into:)`` (`SO_RCVTIMEO`): after `timeout` with nothing to read it
    /// throws `receiveTimedOut`. `nil` or zero waits forever again.
    package func setReceiveTimeout(_ timeout: Duration?) {
        let (seconds, attoseconds) = (timeout ?? .zero).components
        var value = timeval()
        value.tv_sec = .init(seconds)
        value.tv_usec = .init(attoseconds / 1_000_000_000_000)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Bytes sent that the peer's TCP has not acknowledged yet, 0 if unknown.
    ///
    /// It grows once the peer stops reading and its receive window closes: the one sign of a
    /// stalled peer that a protocol without acknowledgements gives the sender.
    package func unacknowledgedBytes() -> Int {
        var count: Int32 = 0
        #if os(Linux)
        guard ioctl(descriptor, UInt(0x5411), &count) == 0 else { return 0 }  // SIOCOUTQ (= TIOCOUTQ)
        #elseif canImport(Darwin)
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_NWRITE, &count, &length) == 0 else { return 0 }
        #endif
        return Int(count)
    }

    /// Wakes threads blocked on the socket; a no-op once it is closed.
    package func shutdown() {
        closed.ifOpen { _ = systemShutdown(descriptor, Self.shutBoth) }
    }

    /// Closes the descriptor; only the first call of any copy does anything.
    package func close() {
        closed.closeOnce { _ = systemClose(descriptor) }
    }

    /// The peer's address as `ip:port`, for logs; "unknown" once it cannot be read.
    package var peerName: String {
        SocketAddress.filled { getpeername(descriptor, $0, $1) }?.description ?? "unknown"
    }

    func setFlag(_ level: Int32, _ option: Int32) {
        var one: Int32 = 1
        setsockopt(descriptor, level, option, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    private static var noSignal: Int32 {
        #if canImport(Glibc)
        Int32(MSG_NOSIGNAL)
        #else
        0  // Darwin has no MSG_NOSIGNAL; SO_NOSIGPIPE is set on the socket instead.
        #endif
    }

    private static var shutBoth: Int32 {
        #if canImport(Glibc)
        Int32(SHUT_RDWR)
        #else
        SHUT_RDWR
        #endif
    }
}

// The system calls whose names the type's own methods shadow.
private func systemConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    connect(fd, address, length)
}

private func systemShutdown(_ fd: Int32, _ how: Int32) -> Int32 { shutdown(fd, how) }

func systemClose(_ fd: Int32) -> Int32 { close(fd) }

/// Whether a ``TCPConnection``'s descriptor was closed, shared by its copies.
///
/// `shutdown` and `close` run under one lock: checked and called apart, a `close` on another
/// thread could slip between the check and the `shutdown`, which would then hit whatever
/// socket took the number in the meantime.
private final class ClosedFlag: Sendable {
    private let closed = Mutex(false)

    func ifOpen(_ body: () -> Void) {
        closed.withLock { closed in if !closed { body() } }
    }

    func closeOnce(_ body: () -> Void) {
        closed.withLock { closed in
            guard !closed else { return }
            closed = true
            body()
        }
    }
}
