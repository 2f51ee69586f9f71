import Taskiq

/// A ZeroMQ TCP endpoint, `tcp://host:port`.
///
/// The host is an IPv4 literal, `localhost`, a name resolved to IPv4, or `*` (all interfaces,
/// for binding only). Port 0 binds an ephemeral port; ``ZMTPSocket/bind(_:)`` returns the
/// endpoint with the port the kernel chose.
package struct ZMTPEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The host as written: an IPv4 literal, a name, or `*`.
    package var host: String
    /// The TCP port; 0 asks for an ephemeral port when binding.
    package var port: UInt16

    package init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Parses `tcp://host:port`.
    /// - Throws: ``ZMTPError`` with code `invalidEndpoint`, saying what was wrong.
    package init(parsing text: String) throws {
        let scheme = "tcp://"
        guard text.hasPrefix(scheme) else {
            throw ZMTPError(.invalidEndpoint, "endpoint \"\(text)\" must start with tcp:// (only TCP is supported)")
        }
        let rest = text.dropFirst(scheme.count)
        guard let colon = rest.lastIndex(of: ":") else {
            throw ZMTPError(.invalidEndpoint, "endpoint \"\(text)\" has no port; expected tcp://host:port")
        }
        let host = String(rest[..<colon])
        let portText = rest[rest.index(after: colon)...]
        guard !host.isEmpty else {
            throw ZMTPError(.invalidEndpoint, "endpoint \"\(text)\" has no host; expected tcp://host:port, with * for all interfaces")
        }
        if host != "*", let problem = NetworkHost.problem(with: host) {
            throw ZMTPError(.invalidEndpoint, "endpoint \"\(text)\": \(problem)")
        }
        guard portText.utf8.allSatisfy({ (48...57).contains($0) }), let port = UInt16(portText) else {
            throw ZMTPError(.invalidEndpoint, "endpoint \"\(text)\" has port \"\(portText)\"; expected a number from 0 to 65535")
        }
        self.init(host: host, port: port)
    }

    package var description: String { "tcp://\(host):\(port)" }

    /// The IPv4 socket address; `*` is only allowed when binding.
    func socketAddress(binding: Bool) throws -> SocketAddress {
        switch host {
        case "*" where binding:
            return .anyIPv4(port: port)
        case "*":
            throw ZMTPError(.invalidEndpoint, "cannot connect to \(self): * means all interfaces and is only valid for bind")
        case "localhost":
            return .loopbackIPv4(port: port)
        default:
            do {
                return try SocketAddress.resolve(host: host, port: port, family: .ipv4)[0]
            } catch {
                throw ZMTPError(.unresolvedHost, "cannot resolve host \"\(host)\" of \(self) to an IPv4 address: \(error.reason)")
            }
        }
    }
}
