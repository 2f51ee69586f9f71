/// A response received by ``HTTPClient``: its status, headers and whole body.
public struct HTTPClientResponse: Sendable {
    /// The status code, 100 to 599.
    public var status: Int
    /// The headers in the order received, names as the server spelled them.
    public var headers: [(String, String)]
    /// The body, de-chunked.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Whether ``status`` is 200 to 299.
    public var isSuccess: Bool { (200...299).contains(status) }

    /// The value of the first header named `name` (compared case-insensitively), or `nil`.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.0.lowercased() == wanted }?.1
    }

    /// The body decoded as UTF-8 (invalid bytes replaced), for messages and tests.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
