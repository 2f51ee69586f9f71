import Taskiq

extension RedisConfiguration {
    /// Resolves the host, connects to the first address that accepts within ``connectTimeout``,
    /// and returns a blocking connection with `TCP_NODELAY` and keepalive set.
    /// - Parameter isCancelled: Polled every 50 ms while connecting.
    func connect(isCancelled: () -> Bool) throws(RedisConnectionError) -> TCPConnection {
        guard let port = UInt16(exactly: port) else {
            throw self.error(.connectFailed, "cannot connect: port \(self.port) is not from 0 to 65535")
        }
        do {
            return try TCPConnection.connect(host: host, port: port, timeout: connectTimeout, keepAlive: true,
                                             isCancelled: isCancelled)
        } catch {
            throw connectionError(error)
        }
    }

    /// The error that says, in Redis terms, why connecting failed.
    private func connectionError(_ error: TCPError) -> RedisConnectionError {
        switch error.kind {
        case .unresolvedHost:
            self.error(.unknownHost, "cannot resolve host '\(host)' (\(error.reason))")
        case .socketFailed:
            self.error(.connectFailed, "socket() failed: \(error.reason)")
        case .cancelled:
            self.error(.closedLocally, "connecting was cancelled")
        case .deadlineExceeded:
            self.error(.timeout, "connecting took longer than \(connectTimeout)")
        case .refused:
            self.error(.connectionRefused, "connection refused (is redis-server running and listening there?)")
        case .connectTimedOut:
            self.error(.timeout, "connecting timed out")
        default:
            self.error(.connectFailed, "cannot connect: \(error.reason)")
        }
    }
}
