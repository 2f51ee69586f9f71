import Taskiq

extension RedisConfiguration {
    /// Resolves the host, connects to the first address that accepts within ``connectTimeout``,
    /// and returns a blocking connection with `TCP_NODELAY` and keepalive set; with ``tls`` set,
    /// the TLS handshake runs over it within what is left of ``connectTimeout``.
    /// - Parameter isCancelled: Polled every 50 ms while connecting.
    func connect(isCancelled: () -> Bool) throws(RedisConnectionError) -> any ByteStream {
        guard let port = UInt16(exactly: port) else {
            throw self.error(.connectFailed, "cannot connect: port \(self.port) is not from 0 to 65535")
        }
        let start = ContinuousClock.now
        let tcp: TCPConnection
        do {
            tcp = try TCPConnection.connect(
                host: host, port: port, timeout: connectTimeout, keepAlive: true,
                isCancelled: isCancelled)
        } catch {
            throw connectionError(error)
        }
        guard let tls else { return tcp }
        do {
            return try TLSConnection.connect(
                over: tcp, host: host, peer: address, configuration: tls,
                timeout: connectTimeout - start.duration(to: .now), isCancelled: isCancelled)
        } catch {
            switch error.code {
            case .timeout: throw self.error(.timeout, error.message, underlying: error)
            case .cancelled: throw self.error(.closedLocally, error.message, underlying: error)
            default: throw self.error(.tlsFailed, error.message, underlying: error)
            }
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
