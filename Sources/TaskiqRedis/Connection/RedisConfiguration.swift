import Taskiq

/// Where a Redis server is and how to talk to it.
///
/// Usually made from a URL, `redis://[user:password@]host[:port][/db]`, or `rediss://…` for TLS,
/// or `redis+sentinel://…` for a master found through Redis Sentinel (``sentinel``):
/// ```swift
/// var configuration = try RedisConfiguration(url: "redis://worker:s3cret@10.0.0.5:6379/2")
/// configuration.commandTimeout = .seconds(2)
/// ```
package struct RedisConfiguration: Sendable {
    /// Which protocol version to ask for.
    package enum ProtocolVersion: Sendable, Hashable {
        /// Send `HELLO 3` (with `AUTH` in it); fall back to RESP2 with `AUTH` when the server
        /// answers it with an error (Redis before 6, or `HELLO` renamed away).
        case resp3
        /// Never send `HELLO`: authenticate with `AUTH` and stay in RESP2.
        case resp2
    }

    /// The host name or IP address; with ``sentinel`` set, the first sentinel's until a
    /// connection resolves the master.
    package var host: String
    /// The TCP port.
    package var port: Int
    /// The ACL user; `nil` authenticates as `default` when a password is set.
    package var username: String?
    /// The password; `nil` skips authentication.
    package var password: String?
    /// How to secure the connection with TLS (`rediss://`); `nil` speaks plain TCP.
    package var tls: TLSConfiguration?
    /// The database selected with `SELECT` after connecting (0 needs no command).
    package var database: Int
    /// The protocol version to ask for.
    package var protocolVersion: ProtocolVersion
    /// A name set with `CLIENT SETNAME`, shown by `CLIENT LIST`.
    package var clientName: String?
    /// How long connecting (including the handshake) may take.
    package var connectTimeout: Duration
    /// How long a non-blocking command may wait without any reply arriving before the
    /// connection is considered dead and discarded.
    package var commandTimeout: Duration
    /// How much longer than a blocking command's own timeout the client waits for its
    /// reply, so a healthy connection never times out on the client first.
    package var blockingTimeoutMargin: Duration
    /// Bounds on replies.
    package var limits: RESPParser.Limits
    /// How a ``RedisClient`` reconnects.
    package var reconnect: RedisReconnectPolicy
    /// The sentinels to ask for the master's address on every connect; `nil` connects to
    /// ``host`` and ``port`` directly.
    package var sentinel: RedisSentinel?
    /// The nodes of a Redis Cluster to learn the slot map from; `nil` talks to one server.
    /// With it set, a ``RedisClient`` sends each command to the master of its key's slot
    /// (``RedisClusterRouter``) and a lone connection goes to the first node that accepts.
    package var clusterNodes: [RedisAddress]?
    /// Connections closed for a protocol violation, shared by every copy of this configuration.
    package var violations = RedisProtocolViolations()

    /// Creates a configuration.
    package init(
        host: String = "127.0.0.1", port: Int = 6379, username: String? = nil, password: String? = nil,
        tls: TLSConfiguration? = nil, database: Int = 0, protocolVersion: ProtocolVersion = .resp3, clientName: String? = nil,
        connectTimeout: Duration = .seconds(5), commandTimeout: Duration = .seconds(10),
        blockingTimeoutMargin: Duration = .seconds(5), limits: RESPParser.Limits = .init(),
        reconnect: RedisReconnectPolicy = .init()
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.tls = tls
        self.database = database
        self.protocolVersion = protocolVersion
        self.clientName = clientName
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.blockingTimeoutMargin = blockingTimeoutMargin
        self.limits = limits
        self.reconnect = reconnect
    }

    /// The server's address as `host:port`, for messages; with ``sentinel`` set, the master's
    /// name and the sentinels, `master 'mymaster' via sentinels h1:26379,h2:26379`.
    package var address: String {
        if let sentinel { return "master '\(sentinel.masterName)' via sentinels \(sentinel.addressList)" }
        if let clusterNodes { return "cluster via " + clusterNodes.map(\.description).joined(separator: ",") }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    func error(_ code: RedisConnectionError.Code, _ message: String, underlying: (any Error)? = nil) -> RedisConnectionError {
        RedisConnectionError(code, host: host, port: port, message, underlying: underlying)
    }
}
