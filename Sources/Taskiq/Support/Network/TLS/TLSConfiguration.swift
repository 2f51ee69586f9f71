/// How a client sets up TLS: which certificates it trusts, which it presents, and which name
/// it expects the server's certificate to carry.
///
/// The default verifies the server's certificate against the system's trust store and its
/// host name against the name connected to; ``insecureSkipVerify`` turns both checks off and
/// is logged as a warning on every connection.
package struct TLSConfiguration: Sendable, Hashable {
    /// A PEM file of CA certificates to trust instead of the system's trust store.
    package var caFile: String?
    /// A PEM file with this client's certificate (and its chain), for servers that require
    /// one (mutual TLS); needs ``keyFile``.
    package var certFile: String?
    /// A PEM file with the private key of ``certFile``.
    package var keyFile: String?
    /// The name the server's certificate must carry, and the name sent as SNI; `nil` uses
    /// the host connected to.
    package var serverName: String?
    /// Accepts any certificate for any name. For development only: anyone on the network
    /// path can then read and change the traffic.
    package var insecureSkipVerify: Bool

    /// Creates a configuration; the defaults verify against the system's trust store.
    package init(
        caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil, serverName: String? = nil,
        insecureSkipVerify: Bool = false
    ) {
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
        self.serverName = serverName
        self.insecureSkipVerify = insecureSkipVerify
    }
}
