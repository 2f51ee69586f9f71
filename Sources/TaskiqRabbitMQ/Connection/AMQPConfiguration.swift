import Taskiq

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where and how to connect: host, port, TLS and the ``AMQPConnectionOptions``, read from an
/// `amqp://` or `amqps://` URL the way aio-pika reads it.
package struct AMQPConfiguration: Sendable {
    /// The server's host name or address.
    package var host: String
    /// The server's port (5672 by default, 5671 for `amqps://`).
    package var port: UInt16
    /// How to secure the connection with TLS (`amqps://`); `nil` speaks plain TCP.
    package var tls: TLSConfiguration?
    /// Login, virtual host and proposed limits.
    package var options: AMQPConnectionOptions
    /// Bounds the TCP connect and the handshake, each.
    package var connectTimeout: Duration
    /// The URL with its password masked, for logs and errors.
    package var redactedURL: String

    /// Reads `amqp[s]://[user[:password]@]host[:port][/vhost][?heartbeat=S&frame_max=N&channel_max=N&connection_timeout=S]`.
    ///
    /// Defaults are taskiq-aio-pika's: `guest`/`guest`, port 5672, vhost `/`, heartbeat 60.
    /// The virtual host is the percent-decoded path without its leading `/` (`%2F` and an empty
    /// path both mean `/`).
    ///
    /// `amqps://` (port 5671 by default) connects with TLS, verifying the server's certificate
    /// against the system's trust store and its name against the host; query options change
    /// that: `ca_file=/path/ca.pem` (trust these CAs instead), `cert_file=…&key_file=…` (a client
    /// certificate, for mutual TLS), `server_name=name` (the name to check and send as SNI) and
    /// `insecure_skip_verify=true` (no verification; development only, logged as a warning on
    /// every connection). aio-pika's names are accepted too, so one URL serves a Swift and a
    /// Python config: `cafile`, `certfile`, `keyfile` and `no_verify_ssl=1` (or `0`); a key kept
    /// in the certificate's file is given as the same path twice. aiormq's `capath` and `cadata`
    /// are refused (put the CAs in one PEM file). Values may be percent-encoded; TLS options on an
    /// `amqp://` URL are an error, so TLS is never silently off.
    /// - Throws: ``AMQPConnectionError`` `invalidArgument`, saying what is wrong, password masked.
    package init(url: String) throws(AMQPConnectionError) {
        let redacted = URLCredentials.redacted(url)
        func invalid(_ why: String) -> AMQPConnectionError {
            AMQPConnectionError(
                .invalidArgument, message: "invalid AMQP URL '\(redacted)': \(why); expected amqp[s]://user:password@host:port/vhost")
        }
        guard let schemeEnd = url.firstRange(of: "://") else { throw invalid("no scheme") }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "amqp" || scheme == "amqps" else { throw invalid("scheme '\(scheme)' is not amqp or amqps") }
        var rest = Substring(url[schemeEnd.upperBound...])
        if let at = rest.lastIndex(of: "@"), let split = rest.firstIndex(where: { "/?#".contains($0) }), split < at {
            throw invalid("the credentials contain an unescaped '/', '?' or '#'; percent-encode them")
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
        var options = AMQPConnectionOptions()
        if let at = rest.lastIndex(of: "@") {
            let userinfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let colon = userinfo.firstIndex(of: ":")
            guard let user = PercentEncoding.decoded(userinfo[..<(colon ?? userinfo.endIndex)]),
                let password = colon.map({ PercentEncoding.decoded(userinfo[userinfo.index(after: $0)...]) }) ?? options.password
            else {
                throw invalid("bad percent-encoding in the credentials")
            }
            options.user = user
            options.password = password
        }
        var host = rest
        var port: UInt16 = scheme == "amqps" ? 5671 : 5672
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
            let text = host[host.index(after: colon)...]
            guard let value = UInt16(text), value > 0 else { throw invalid("port '\(text)' is not 1-65535") }
            port = value
            host = host[..<colon]
        }
        guard !host.isEmpty else { throw invalid("no host") }
        guard let virtualHost = PercentEncoding.decoded(path) else { throw invalid("bad percent-encoding in the virtual host") }
        options.virtualHost = virtualHost.isEmpty ? "/" : virtualHost
        var timeout = Duration.seconds(10)
        var tls = TLSURLOptions.amqp.reader()
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
            case "heartbeat":
                guard let seconds = UInt16(value) else { throw invalid("heartbeat '\(value)' is not 0-65535 seconds") }
                options.tuning.heartbeat = seconds
            case "frame_max":
                guard let bytes = UInt32(value), bytes == 0 || bytes >= AMQPFrame.minimumFrameMax else {
                    throw invalid("frame_max '\(value)' is not 0 or at least \(AMQPFrame.minimumFrameMax)")
                }
                options.tuning.frameMax = bytes
            case "channel_max":
                guard let count = UInt16(value) else { throw invalid("channel_max '\(value)' is not 0-65535") }
                options.tuning.channelMax = count
            case "connection_timeout":
                guard let seconds = Double(value), seconds > 0, seconds <= 3600 else {
                    throw invalid("connection_timeout '\(value)' is not 0-3600 seconds")
                }
                timeout = .milliseconds(Int64(seconds * 1000))
            default:
                let known = ["heartbeat", "frame_max", "channel_max", "connection_timeout"] + TLSURLOptions.amqp.all.map(\.name)
                throw invalid("unknown option '\(key)'; known: \(known.joined(separator: ", "))")
            }
        }
        do throws(TLSURLOptions.Problem) {
            self.tls = try tls.configuration(isSecure: scheme == "amqps")
        } catch {
            throw invalid(error.message)
        }
        self.host = String(host)
        self.port = port
        self.options = options
        self.connectTimeout = timeout
        self.redactedURL = redacted
    }

    /// Connects to the configured server, with TLS when ``tls`` is set.
    package func connect(logger: Logger = Logger(label: "taskiq.rabbitmq")) async throws -> AMQPConnection {
        try await AMQPConnection.connect(host: host, port: port, options: options, tls: tls, timeout: connectTimeout, logger: logger)
    }
}
