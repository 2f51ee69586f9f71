import Taskiq

/// Listening on and connecting to an endpoint, with errors that name it.
extension ZMTPEndpoint {
    /// Binds this endpoint and listens; the listener knows the port actually bound.
    /// - Throws: ``ZMTPError`` with code `invalidEndpoint`, `unresolvedHost` or `bindFailed`.
    func listen() throws -> TCPListener {
        let address = try socketAddress(binding: true)
        do {
            return try TCPListener.listen(on: address)
        } catch {
            switch error.kind {
            case .socketFailed: throw ZMTPError(.bindFailed, "cannot create a socket for \(self): \(error.reason)")
            case .listenFailed: throw ZMTPError(.bindFailed, "cannot listen on \(self): \(error.reason)")
            default: throw ZMTPError(.bindFailed, "cannot bind \(self): \(error.reason)")
            }
        }
    }

    /// Connects, giving up after `timeout`; the connection has `TCP_NODELAY` set.
    /// - Throws: ``ZMTPError`` with code `invalidEndpoint`, `unresolvedHost` or `connectFailed`.
    func connect(timeout: Duration) throws -> TCPConnection {
        let address = try socketAddress(binding: false)
        do {
            return try TCPConnection.connect(to: [address], timeout: timeout)
        } catch {
            switch error.kind {
            case .socketFailed: throw ZMTPError(.connectFailed, "cannot create a socket for \(self): \(error.reason)")
            default: throw ZMTPError(.connectFailed, "cannot connect to \(self): \(error.reason)")
            }
        }
    }
}
