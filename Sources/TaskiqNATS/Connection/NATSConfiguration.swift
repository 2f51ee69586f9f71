import Taskiq

/// Where and how a ``NATSClient`` connects: the servers, credentials, TLS, timeouts and
/// keepalive, read from a URL the way nats-py and nats.go read theirs.
package struct NATSConfiguration: Sendable {
    /// One server of the list.
    package struct Server: Sendable, Hashable, CustomStringConvertible {
        /// The host name or address.
        package var host: String
        /// The port (4222 by default).
        package var port: UInt16
        /// Creates a server address.
        package init(host: String, port: UInt16) {
            self.host = host
            self.port = port
        }
        /// `host:port`, with brackets around an IPv6 address.
        package var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// The servers to try, in order; servers the cluster announces (`INFO connect_urls`) are added when learned.
    package var servers: [Server]
    /// User, password, token and the client's name, as sent in CONNECT.
    package var options: NATSConnectOptions
    /// How to secure the connection (`tls://`, or a server that requires TLS); `nil` speaks plain TCP.
    package var tls: TLSConfiguration?
    /// Bounds the TCP connect, the TLS handshake and the CONNECT/PING exchange, each.
    package var connectTimeout: Duration = .seconds(5)
    /// How often the client PINGs an idle server.
    package var pingInterval: Duration = .seconds(20)
    /// How many PINGs may go unanswered before the connection counts as stale and is replaced.
    package var maxPingsOut = 2
    /// Bytes a connection queues for its socket before publishes wait for the writer to take
    /// them (back-pressure on publishers faster than the server reads).
    package var outboundLimit = 64 << 20
    /// The first and longest wait between reconnect attempts (doubling, with jitter).
    package var reconnectBackoff = Backoff.exponential(initial: .milliseconds(100), maximum: .seconds(2))
    /// The URL with its secrets masked, for logs and errors.
    package var redactedURL: String

    /// Creates a configuration for servers given directly.
    package init(servers: [Server], options: NATSConnectOptions = NATSConnectOptions(), tls: TLSConfiguration? = nil) {
        self.servers = servers
        self.options = options
        self.tls = tls
        self.redactedURL = servers.map { "nats://\($0)" }.joined(separator: ",")
    }

    /// The TLS query options a NATS URL accepts (ours; `tls://` is the secure scheme).
    static let tlsOptions = TLSURLOptions(secureScheme: "tls", options: TLSURLOption.ours) { _ in false }

    /// Reads `nats://[user:password@|token@]host[:port][,host2[:port]…][?options]`.
    ///
    /// Several servers are separated by commas, each with or without its own scheme
    /// (`nats://a:4222,nats://b:4222` as nats.go writes it, or `nats://a:4222,b:4222`); credentials
    /// given on any of them apply to all. A lone `secret@` is a token (`auth_token`), as in nats-py.
    /// `tls://` connects with TLS, verifying the server's certificate against the system's trust
    /// store unless the query says otherwise: `ca_file`, `cert_file` + `key_file` (mutual TLS),
    /// `server_name`, `insecure_skip_verify=true`. Other options: `name` (the client name the
    /// server shows), `connect_timeout` (seconds), `ping_interval` (seconds), `max_pings_out`.
    /// - Throws: ``NATSClientError`` `invalidArgument`, saying what is wrong, secrets masked.
    package init(url: String) throws(NATSClientError) {
        let redacted = Self.redact(url)
        func invalid(_ why: String) -> NATSClientError {
            NATSClientError(
                .invalidArgument,
                message: "invalid NATS URL '\(redacted)': \(why); expected nats://[user:password@]host:port[,host:port…] or tls://…")
        }
        var text = Substring(url.trimmingASCIIWhitespace())
        var query: Substring = ""
        if let mark = text.lastIndex(of: "?"), !text[mark...].contains("@") {
            query = text[text.index(after: mark)...]
            text = text[..<mark]
        }
        var servers: [Server] = []
        var options = NATSConnectOptions()
        var secure: Bool?
        for element in text.split(separator: ",", omittingEmptySubsequences: false) {
            var rest = element
            if let schemeEnd = rest.firstRange(of: "://") {
                let scheme = rest[..<schemeEnd.lowerBound].lowercased()
                guard scheme == "nats" || scheme == "tls" else { throw invalid("scheme '\(scheme)' is not nats or tls") }
                if let secure, secure != (scheme == "tls") { throw invalid("nats:// and tls:// are mixed in one list") }
                secure = scheme == "tls"
                rest = rest[schemeEnd.upperBound...]
            } else if servers.isEmpty {
                throw invalid("no scheme")
            }
            if let slash = rest.firstIndex(of: "/") {
                guard rest[slash...].allSatisfy({ $0 == "/" }) else { throw invalid("a path is not allowed") }
                rest = rest[..<slash]
            }
            if let at = rest.lastIndex(of: "@") {
                let userinfo = rest[..<at]
                rest = rest[rest.index(after: at)...]
                if let colon = userinfo.firstIndex(of: ":") {
                    guard let user = PercentEncoding.decoded(userinfo[..<colon]),
                        let password = PercentEncoding.decoded(userinfo[userinfo.index(after: colon)...])
                    else {
                        throw invalid("bad percent-encoding in the credentials")
                    }
                    options.user = user
                    options.password = password
                } else {
                    guard let token = PercentEncoding.decoded(userinfo), !token.isEmpty else { throw invalid("bad or empty token") }
                    options.authToken = token
                }
            }
            servers.append(try Self.server(rest, invalid: invalid))
        }
        guard !servers.isEmpty else { throw invalid("no server") }
        self.init(servers: servers, options: options)
        var tls = Self.tlsOptions.reader()
        for item in query.split(separator: "&") where !item.isEmpty {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = parts[0]
            let value = parts.count > 1 ? parts[1] : ""
            do throws(TLSURLOptions.Problem) {
                if try tls.read(key, value) { continue }
            } catch {
                throw invalid(error.message)
            }
            switch key {
            case "name":
                self.options.name = PercentEncoding.decoded(value)
            case "connect_timeout":
                guard let seconds = Double(value), seconds > 0, seconds <= 3600 else {
                    throw invalid("connect_timeout '\(value)' is not 0-3600 seconds")
                }
                connectTimeout = .milliseconds(Int64(seconds * 1000))
            case "ping_interval":
                guard let seconds = Double(value), seconds >= 0.05, seconds <= 86_400 else {
                    throw invalid("ping_interval '\(value)' is not 0.05-86400 seconds")
                }
                pingInterval = .milliseconds(Int64(seconds * 1000))
            case "max_pings_out":
                guard let count = Int(value), (1...100).contains(count) else { throw invalid("max_pings_out '\(value)' is not 1-100") }
                maxPingsOut = count
            default:
                let known = ["name", "connect_timeout", "ping_interval", "max_pings_out"] + Self.tlsOptions.all.map { String($0.name) }
                throw invalid("unknown option '\(key)'; known: \(known.joined(separator: ", "))")
            }
        }
        do throws(TLSURLOptions.Problem) {
            self.tls = try tls.configuration(isSecure: secure == true)
        } catch {
            throw invalid(error.message)
        }
        self.redactedURL = redacted
    }

    /// Reads `host[:port]` or `[v6]:port`.
    private static func server(_ text: Substring, invalid: (String) -> NATSClientError) throws(NATSClientError) -> Server {
        var host = text
        var port: UInt16 = 4222
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw invalid("an IPv6 address without ']'") }
            let after = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if after.hasPrefix(":") {
                guard let value = UInt16(after.dropFirst()), value > 0 else { throw invalid("port '\(after.dropFirst())' is not 1-65535") }
                port = value
            } else if !after.isEmpty {
                throw invalid("'\(after)' after the IPv6 address")
            }
        } else if let colon = host.lastIndex(of: ":") {
            let digits = host[host.index(after: colon)...]
            guard let value = UInt16(digits), value > 0 else { throw invalid("port '\(digits)' is not 1-65535") }
            port = value
            host = host[..<colon]
        }
        guard !host.isEmpty else { throw invalid("no host") }
        if let problem = text.hasPrefix("[") ? NetworkHost.ipv6Problem(with: host) : NetworkHost.problem(with: host) {
            throw invalid(problem)
        }
        return Server(host: String(host), port: port)
    }

    /// A server announced in `INFO connect_urls` (`host:port`), or `nil` when unreadable.
    package static func announced(_ text: String) -> Server? {
        var rest = Substring(text)
        if let schemeEnd = rest.firstRange(of: "://") { rest = rest[schemeEnd.upperBound...] }
        return try? server(rest) { NATSClientError(.invalidArgument, message: $0) }
    }

    /// The URL with every credential masked, each server of a list on its own.
    package static func redact(_ url: String) -> String {
        url.split(separator: ",", omittingEmptySubsequences: false).map { element in
            element.contains("://")
                ? URLCredentials.redacted(String(element)) : String(URLCredentials.redacted("nats://" + element).dropFirst(7))
        }.joined(separator: ",")
    }
}
