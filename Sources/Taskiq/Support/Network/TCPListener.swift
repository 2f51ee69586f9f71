#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A listening TCP socket that hands out ``TCPConnection``s.
///
/// ``shutdown()`` wakes a thread blocked in ``accept()``, which then returns `nil`; ``close()``
/// follows once that thread has finished.
package struct TCPListener: Sendable {
    /// The socket's descriptor; it identifies the listener while it is open.
    package let descriptor: Int32
    /// The port actually bound (the kernel's choice when asked for port 0).
    package let port: UInt16
    /// The socket, whose copies share one closed flag: ``shutdown()`` after ``close()`` must not
    /// reach the socket that has since been given the same number.
    private let socket: TCPConnection

    /// Binds `address` (with `SO_REUSEADDR`) and listens.
    /// - Throws: ``TCPError`` of kind `socketFailed`, `bindFailed` or `listenFailed`.
    package static func listen(on address: SocketAddress, backlog: Int32 = 128) throws(TCPError) -> TCPListener {
        let fd = try TCPConnection.openSocket(family: address.family)
        let socket = TCPConnection(descriptor: fd)
        socket.setFlag(SOL_SOCKET, SO_REUSEADDR)
        guard address.withSockaddr({ bind(fd, $0, $1) }) == 0 else {
            let code = errno
            socket.close()
            throw TCPError(.bindFailed, number: code, reason: SystemError.text(code))
        }
        guard systemListen(fd, backlog) == 0 else {
            let code = errno
            socket.close()
            throw TCPError(.listenFailed, number: code, reason: SystemError.text(code))
        }
        let bound = SocketAddress.filled { getsockname(fd, $0, $1) }
        return TCPListener(descriptor: fd, port: bound?.port ?? address.port, socket: socket)
    }

    /// Waits for a client; `nil` once the listener is shut down or fails for good.
    ///
    /// Interrupted and aborted accepts are retried; running out of descriptors or memory waits
    /// 100 ms and retries, so a burst of connections cannot end the listener.
    package func accept() -> TCPConnection? {
        while true {
            let client = systemAccept(descriptor)
            if client >= 0 {
                let connection = TCPConnection(descriptor: client)
                connection.setFlag(Int32(IPPROTO_TCP), TCP_NODELAY)
                #if canImport(Darwin)
                connection.setFlag(SOL_SOCKET, SO_NOSIGPIPE)
                #endif
                return connection
            }
            switch errno {
            case EINTR, ECONNABORTED, EPROTO: continue
            case EMFILE, ENFILE, ENOBUFS, ENOMEM: usleep(100_000)  // Out of descriptors: retry later.
            default: return nil
            }
        }
    }

    /// Wakes the thread blocked in ``accept()``; safe to call more than once, and a no-op once closed.
    package func shutdown() { socket.shutdown() }

    /// Releases the descriptor, after the accepting thread has finished; only the first call does anything.
    package func close() { socket.close() }
}

// The system calls whose names the type's own methods shadow.
private func systemListen(_ fd: Int32, _ backlog: Int32) -> Int32 { listen(fd, backlog) }

private func systemAccept(_ fd: Int32) -> Int32 { accept(fd, nil, nil) }
