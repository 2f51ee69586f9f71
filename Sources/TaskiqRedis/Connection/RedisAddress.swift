/// Where one Redis process listens: a sentinel, a cluster node, a master a sentinel named.
package struct RedisAddress: Sendable, Hashable, CustomStringConvertible {
    /// The host name or IP address.
    package var host: String
    /// The TCP port.
    package var port: Int

    /// Creates an address.
    package init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `host:port`, with an IPv6 host in brackets.
    package var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
