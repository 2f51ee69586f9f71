/// Why ``HTTPRequestParser`` rejected a request, with the status to answer it with.
package struct HTTPRequestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The status to answer with: 400, 414, 431 or 505.
    package var status: Int
    /// What was wrong, for the response body and logs.
    package var reason: String

    /// Creates an error answered with `status`.
    package init(status: Int, _ reason: String) {
        self.status = status
        self.reason = reason
    }

    /// `status: reason`.
    package var description: String { "\(status): \(reason)" }
}
