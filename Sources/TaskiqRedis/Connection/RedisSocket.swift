#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Taskiq

/// Blocking POSIX TCP plumbing for ``RedisConnection``: connect with a deadline, write all,
/// wait for readability. Every function is synchronous and runs on the connection's thread
/// or, for writes, on the caller's.
enum RedisSocket {
    /// Resolves `host`, connects to the first address that accepts within `timeout`, and
    /// returns a blocking socket with `TCP_NODELAY` and keepalive set.
    /// - Parameter isCancelled: Polled every 50 ms while connecting.
    static func connect(_ configuration: RedisConfiguration, isCancelled: () -> Bool) throws(RedisConnectionError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_protocol = Int32(IPPROTO_TCP)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(configuration.host, String(configuration.port), &hints, &list)
        guard status == 0, let first = list else {
            let reason = String(cString: gai_strerror(status))
            throw configuration.error(.unknownHost, "cannot resolve host '\(configuration.host)' (\(reason))")
        }
        defer { freeaddrinfo(list) }
        let deadline = ContinuousClock.now.advanced(by: configuration.connectTimeout)
        var lastError: RedisConnectionError?
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            do {
                return try connect(info.pointee, configuration, deadline: deadline, isCancelled: isCancelled)
            } catch {
                lastError = error
                if error.code == .timeout || error.code == .closedLocally { break }
            }
        }
        throw lastError ?? configuration.error(.connectFailed, "no address to connect to")
    }

    private static func connect(_ info: addrinfo, _ configuration: RedisConfiguration, deadline: ContinuousClock.Instant,
                                isCancelled: () -> Bool) throws(RedisConnectionError) -> Int32 {
        let fd = socket(info.ai_family, info.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), info.ai_protocol)
        guard fd >= 0 else { throw configuration.error(.connectFailed, "socket() failed: \(errnoText())") }
        var keep = false
        defer { if !keep { close(fd) } }
        let flags = fcntl(fd, F_GETFL, 0)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        if Glibc.connect(fd, info.ai_addr, info.ai_addrlen) != 0 {
            guard errno == EINPROGRESS else { throw connectError(errno, configuration) }
            while true {
                if isCancelled() { throw configuration.error(.closedLocally, "connecting was cancelled") }
                let remaining = ContinuousClock.now.duration(to: deadline)
                guard remaining > .zero else {
                    throw configuration.error(.timeout, "connecting took longer than \(configuration.connectTimeout)")
                }
                var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let result = poll(&pfd, 1, Int32(min(50, milliseconds(remaining) + 1)))
                if result < 0, errno != EINTR { throw connectError(errno, configuration) }
                if result > 0 { break }
            }
            var soError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length)
            guard soError == 0 else { throw connectError(soError, configuration) }
        }
        _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, socklen_t(MemoryLayout<Int32>.size))
        keep = true
        return fd
    }

    private static func connectError(_ code: Int32, _ configuration: RedisConfiguration) -> RedisConnectionError {
        switch code {
        case ECONNREFUSED:
            configuration.error(.connectionRefused, "connection refused (is redis-server running and listening there?)")
        case ETIMEDOUT:
            configuration.error(.timeout, "connecting timed out")
        default:
            configuration.error(.connectFailed, "cannot connect: \(String(cString: strerror(code)))")
        }
    }

    /// Writes every byte, retrying short writes; `MSG_NOSIGNAL` so a closed peer is an error,
    /// not a SIGPIPE that kills the process.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
        bytes.withUnsafeBytes { buffer -> Int32? in
            var offset = 0
            while offset < buffer.count {
                let written = send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
    }

    /// Waits until `fd` is readable or `timeout` passes (`nil`: forever); `false` on timeout.
    static func waitReadable(_ fd: Int32, timeout: Duration?) -> Bool {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let result = poll(&pfd, 1, timeout.map { Int32(min(milliseconds($0) + 1, 60_000)) } ?? -1)
        return result != 0
    }

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(0, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }

    static func errnoText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }
}
