/// Where an ``HTTPClient`` sends its requests: a server and a base path, parsed from a URL
/// such as `http://127.0.0.1:8000/dashboard` or `https://collector.example.com/otlp`.
///
/// The URL is checked when it is parsed, so a typo fails where it is written rather than at
/// the first request. User information, queries and fragments are refused: credentials belong
/// in headers, and a query would be lost when paths are joined.
public struct HTTPEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The host name or address (an IPv6 address without its brackets).
    public var host: String
    /// The TCP port: the URL's, or 80 for `http` and 443 for `https`.
    public var port: Int
    /// The URL's path without a trailing `/`; empty for none. Request paths are appended to it.
    public var basePath: String
    /// Whether requests go over TLS (`https://`), verified against the system's trust store.
    public var usesTLS: Bool

    /// Parses `url`.
    /// - Parameter url: `http://host[:port][/base/path]` or `https://...`.
    /// - Throws: ``HTTPClientError`` with code `invalidURL`, saying what is wrong.
    public init(url: String) throws(HTTPClientError) {
        func invalid(_ why: String) -> HTTPClientError {
            HTTPClientError(.invalidURL, peer: "", "invalid URL '\(url)': \(why)")
        }
        let rest: Substring
        if url.lowercased().hasPrefix("http://") {
            usesTLS = false
            rest = url.dropFirst(7)
        } else if url.lowercased().hasPrefix("https://") {
            usesTLS = true
            rest = url.dropFirst(8)
        } else {
            throw invalid("expected a URL starting with http:// or https://")
        }
        if rest.contains(where: { $0 == "?" || $0 == "#" }) { throw invalid("a query or fragment is not supported") }
        if rest.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) {
            throw invalid("it contains a space or control character")
        }
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        if authority.contains("@") { throw invalid("user information (user:password@) is not supported; pass credentials as a header") }
        var hostPart: Substring
        var portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw invalid("an IPv6 address lacks its ']'") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw invalid("expected ':port' after ']'") }
                portPart = after.dropFirst()
            }
            if let problem = NetworkHost.ipv6Problem(with: hostPart) { throw invalid(problem) }
        } else {
            if let colon = authority.firstIndex(of: ":") {
                hostPart = authority[..<colon]
                portPart = authority[authority.index(after: colon)...]
            } else {
                hostPart = authority
            }
            if let problem = NetworkHost.problem(with: hostPart) { throw invalid(problem) }
        }
        host = String(hostPart)
        if let portPart {
            guard !portPart.isEmpty, portPart.utf8.count <= 5, portPart.utf8.allSatisfy({ (48...57).contains($0) }),
                let number = Int(portPart), (1...65535).contains(number)
            else {
                throw invalid("the port '\(portPart)' is not a number from 1 to 65535")
            }
            port = number
        } else {
            port = usesTLS ? 443 : 80
        }
        var base = Substring(path)
        while base.hasSuffix("/") { base = base.dropLast() }
        basePath = String(base)
    }

    /// The server as `host:port` (IPv6 addresses in brackets), as messages name it.
    public var peer: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The endpoint as a URL.
    public var description: String { "\(usesTLS ? "https" : "http")://\(peer)\(basePath)" }

    /// The request target for `path` under ``basePath``, with exactly one `/` between them.
    package func target(for path: String) -> String {
        let tail = path.drop { $0 == "/" }
        if basePath.isEmpty && tail.isEmpty { return "/" }
        return tail.isEmpty ? basePath : "\(basePath)/\(tail)"
    }

    /// The `Host` header's value: the port is left out when it is the scheme's default.
    package var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == (usesTLS ? 443 : 80) ? name : "\(name):\(port)"
    }
}
