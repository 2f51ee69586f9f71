/// How a span ended, as OTLP's `Status`: a code and, for errors, a description.
public struct SpanStatus: Sendable, Hashable {
    /// OTLP's status codes.
    public enum Code: Int, Sendable {
        /// Nothing was said (the default; what taskiq's middleware leaves on success).
        case unset = 0
        /// Explicitly successful.
        case ok = 1
        /// Failed.
        case error = 2
    }

    /// The code.
    public var code: Code
    /// What went wrong; empty unless the code is ``Code/error``.
    public var message: String

    /// Creates a status.
    /// - Parameters:
    ///   - code: The code.
    ///   - message: What went wrong, for errors.
    public init(_ code: Code, message: String = "") {
        self.code = code
        self.message = message
    }

    /// No status set.
    public static let unset = SpanStatus(.unset)
}
