import Taskiq

extension AddressFormat {
    /// An HTTP server's base URL, `http[s]://host[:port][/path]`, read by the parser of
    /// ``/Taskiq/HTTPEndpoint`` (no user information, query or fragment).
    public static let httpURL = AddressFormat(
        name: "http_url", example: "http[s]://host:port[/path]",
        scheme: "https?://"
    ) { text in
        do throws(HTTPClientError) {
            _ = try HTTPEndpoint(url: text)
            return nil
        } catch {
            return error.message
        }
    }
}
