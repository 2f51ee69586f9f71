/// The head of an HTTP/1.x request: request line and headers, as ``HTTPRequestParser`` read them.
package struct HTTPRequestHead: Sendable, Hashable {
    /// The method, such as `GET`.
    package var method: String
    /// The request target, such as `/metrics?x=1`.
    package var target: String
    /// The minor version: 0 for HTTP/1.0, 1 for HTTP/1.1.
    package var minorVersion: Int
    /// The headers in the order received, names as the client spelled them.
    package var headers: [HTTPHeader]

    /// The path of ``target``, without the query.
    package var path: Substring { target.prefix { $0 != "?" } }

    /// The value of the first header named `name` (compared case-insensitively), or `nil`.
    package func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Whether the connection stays open after the response: HTTP/1.1 unless `Connection: close`,
    /// HTTP/1.0 only with `Connection: keep-alive`.
    package var keepAlive: Bool {
        let tokens = (header("connection") ?? "").lowercased().split(separator: ",").map { String($0).trimmingASCIIWhitespace() }
        if tokens.contains("close") { return false }
        return minorVersion >= 1 || tokens.contains("keep-alive")
    }
}

/// One header line of a request.
package struct HTTPHeader: Sendable, Hashable {
    /// The name as sent.
    package var name: String
    /// The value, without surrounding spaces and tabs.
    package var value: String
}
