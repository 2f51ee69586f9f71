import Taskiq

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension RedisConfiguration {
    /// Reads a configuration from a URL.
    ///
    /// Accepted forms: `redis://host`, `redis://host:port/db`, `redis://:password@host`,
    /// `redis://user:password@host:port/db`, `redis://[::1]:6379`, and `?db=N` as an
    /// alternative to the path. User and password may be percent-encoded. The port defaults
    /// to 6379, the database to 0. Unix sockets are not supported.
    ///
    /// `rediss://` connects with TLS, verifying the server's certificate against the system's
    /// trust store and its name against the host; query options change that:
    /// `ca_file=/path/ca.pem` (trust these CAs instead), `cert_file=…&key_file=…` (a client
    /// certificate, for mutual TLS), `server_name=name` (the name to check and send as SNI)
    /// and `insecure_skip_verify=true` (no verification; development only, logged as a warning
    /// on every connection). Values may be percent-encoded; these options on a `redis://` URL
    /// are an error, so TLS is never silently off. redis-py's names for the same settings are
    /// accepted too (``TLSURLOptions/redis``), so one URL serves a Swift and a Python config.
    ///
    /// `redis+sentinel://[user:password@]host:26379[,host:26379...]/master_name[/db]` finds the
    /// master through Redis Sentinel (``RedisSentinel``): the hosts are the sentinels (port 26379
    /// unless given), the credentials the master's; `sentinel_username=…&sentinel_password=…` are
    /// the sentinels' own. `rediss+sentinel://` speaks TLS to both, with the options above.
    ///
    /// `redis+cluster://[user:password@]host:6379[,host:6379...]` talks to a Redis Cluster
    /// (``RedisClusterRouter``): the hosts are seeds to learn the slot map from (port 6379 unless
    /// given), and only database 0 exists. `rediss+cluster://` speaks TLS to every node.
    /// - Parameter url: The URL.
    /// - Throws: ``RedisConnectionError`` with code `invalidURL`, saying what is wrong.
    package init(url: String) throws(RedisConnectionError) {
        self.init()
        func invalid(_ why: String) -> RedisConnectionError {
            RedisConnectionError(
                .invalidURL, host: "?", port: 0,
                "invalid Redis URL '\(URLCredentials.redacted(url))': \(why); expected redis[s]://[user:password@]host:port/db, redis[s]+sentinel://[user:password@]host:26379[,host:26379...]/master_name[/db] or redis[s]+cluster://[user:password@]host:6379[,host:6379...]"
            )
        }
        guard let schemeEnd = url.firstRange(of: "://") else { throw invalid("no scheme") }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard ["redis", "rediss", "redis+sentinel", "rediss+sentinel", "redis+cluster", "rediss+cluster"].contains(scheme) else {
            throw invalid("scheme '\(scheme)' is not redis, rediss, redis+sentinel, rediss+sentinel, redis+cluster or rediss+cluster")
        }
        let sentinelScheme = scheme.hasSuffix("+sentinel")
        let clusterScheme = scheme.hasSuffix("+cluster")
        var rest = Substring(url[schemeEnd.upperBound...])
        // A '/', '?' or '#' inside a password would move the split points below and echo part of
        // it as a host, port or database; refuse it without showing any of it.
        if let at = rest.lastIndex(of: "@"), let split = rest.firstIndex(where: { "/?#".contains($0) }), split < at {
            throw invalid("the credentials contain an unescaped '/', '?' or '#'; percent-encode them (%2F, %3F, %23)")
        }
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        if let at = rest.lastIndex(of: "@") {
            let userinfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = userinfo.firstIndex(of: ":") {
                let user = userinfo[..<colon]
                guard let decodedUser = PercentEncoding.decoded(user),
                    let decodedPassword = PercentEncoding.decoded(userinfo[userinfo.index(after: colon)...])
                else {
                    throw invalid("bad percent-encoding in the credentials")
                }
                username = decodedUser.isEmpty ? nil : decodedUser
                password = decodedPassword
            } else {
                // `redis://secret@host` is read as a password, as redis-py does for a lone token.
                guard let decoded = PercentEncoding.decoded(userinfo) else { throw invalid("bad percent-encoding in the credentials") }
                password = decoded.isEmpty ? nil : decoded
            }
        }
        if sentinelScheme {
            var addresses: [RedisSentinel.Address] = []
            for part in rest.split(separator: ",", omittingEmptySubsequences: false) {
                let (host, port) = try Self.hostAndPort(part, invalid: invalid)
                guard let host else { throw invalid("a sentinel address has no host") }
                addresses.append(RedisSentinel.Address(host: host, port: port ?? RedisSentinel.defaultPort))
            }
            let names = path.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = names.first.flatMap({ PercentEncoding.decoded($0) }), !name.isEmpty else {
                throw invalid("no master name; expected \(scheme)://host:26379[,host:26379...]/master_name[/db]")
            }
            path = names.count > 1 ? names[1] : ""
            sentinel = RedisSentinel(addresses: addresses, masterName: name)
            host = addresses[0].host
            port = addresses[0].port
            // Ride out a failover (the sentinels' down-after-milliseconds plus an election: seconds),
            // not just a reconnect to the same server.
            reconnect.attemptsPerCommand = RedisReconnectPolicy.attemptsThroughFailover
        } else if clusterScheme {
            var nodes: [RedisAddress] = []
            for part in rest.split(separator: ",", omittingEmptySubsequences: false) {
                let (host, port) = try Self.hostAndPort(part, invalid: invalid)
                guard let host else { throw invalid("a cluster node address has no host") }
                nodes.append(RedisAddress(host: host, port: port ?? 6379))
            }
            clusterNodes = nodes
            host = nodes[0].host
            port = nodes[0].port
            // A master that dies is replaced by its replica after cluster-node-timeout: seconds.
            reconnect.attemptsPerCommand = RedisReconnectPolicy.attemptsThroughFailover
        } else {
            let (host, port) = try Self.hostAndPort(rest, invalid: invalid)
            if let host { self.host = host }
            if let port { self.port = port }
        }
        var databaseText = path.isEmpty ? nil : path
        for item in query.split(separator: "&") {
            let parts = item.split(separator: "=", maxSplits: 1)
            let key = parts.first ?? ""
            let text = parts.count > 1 ? parts[1] : ""
            guard key == "sentinel_username" || key == "sentinel_password" else { continue }
            guard sentinelScheme else { throw invalid("\(key) needs a redis+sentinel:// or rediss+sentinel:// URL") }
            guard let value = PercentEncoding.decoded(text) else { throw invalid("bad percent-encoding in \(key)") }
            if key == "sentinel_username" { sentinel?.username = value.isEmpty ? nil : value } else { sentinel?.password = value }
        }
        var tls = TLSURLOptions.redis.reader()
        do throws(TLSURLOptions.Problem) {
            for item in query.split(separator: "&") {
                let parts = item.split(separator: "=", maxSplits: 1)
                let key = parts.first ?? ""
                let text = parts.count > 1 ? parts[1] : ""
                if key == "db" {
                    databaseText = text
                    continue
                }
                if key == "sentinel_username" || key == "sentinel_password" { continue }
                // Other redis-py options (socket_timeout, ...) are left to Python.
                _ = try tls.read(key, text)
            }
            self.tls = try tls.configuration(isSecure: scheme.hasPrefix("rediss"))
        } catch {
            throw invalid(error.message)
        }
        if let databaseText {
            guard databaseText.utf8.allSatisfy({ (48...57).contains($0) }), let value = Int(databaseText) else {
                throw invalid("database '\(databaseText)' is not a non-negative number")
            }
            database = value
        }
        if clusterScheme, database != 0 { throw invalid("a cluster has only database 0, not \(database)") }
    }

    /// Reads `host`, `host:port` or `[v6]:port`; either may be absent (`nil`).
    private static func hostAndPort(_ text: Substring, invalid: (String) -> RedisConnectionError)
        throws(RedisConnectionError) -> (host: String?, port: Int?)
    {
        var hostPart = text
        var portPart: Substring?
        if hostPart.hasPrefix("[") {
            guard let close = hostPart.firstIndex(of: "]") else { throw invalid("unterminated IPv6 address") }
            let after = hostPart[hostPart.index(after: close)...]
            hostPart = hostPart[hostPart.index(after: hostPart.startIndex)..<close]
            if let problem = NetworkHost.ipv6Problem(with: hostPart) { throw invalid(problem) }
            if after.hasPrefix(":") { portPart = after.dropFirst() } else if !after.isEmpty { throw invalid("text after the IPv6 address") }
        } else if let colon = hostPart.lastIndex(of: ":") {
            portPart = hostPart[hostPart.index(after: colon)...]
            hostPart = hostPart[..<colon]
        }
        if !hostPart.isEmpty, !text.hasPrefix("["), let problem = NetworkHost.problem(with: hostPart) { throw invalid(problem) }
        if let portPart {
            guard portPart.utf8.allSatisfy({ (48...57).contains($0) }), let value = Int(portPart), (1...65535).contains(value) else {
                throw invalid("port '\(portPart)' is not a number from 1 to 65535")
            }
            return (hostPart.isEmpty ? nil : String(hostPart), value)
        }
        return (hostPart.isEmpty ? nil : String(hostPart), nil)
    }
}
