/// Which errors a retry middleware retries: `retry_on` and `no_retry_on`, by error type name or code.
///
/// A pattern is one of:
/// - a type name, `TimeoutError` or `PaymentError`, matching the error's `exc_type`;
/// - a qualified name, `builtins.TimeoutError` or `Billing.PaymentError`, matching `exc_module.exc_type`;
/// - a name and a code, `HTTPError:503` or `PaymentError:declined` (`*:503` for any type), matching
///   when the error's first argument (`exc_message[0]`, as in Python's `raise HTTPError(503, ...)`
///   or Swift's `TaskError(name: "HTTPError", arguments: [503])`) is that integer or string.
///
/// A task's `retry_on` / `no_retry_on` labels (a list of patterns, or one string of patterns
/// separated by commas) replace the middleware's lists for that task. taskiq's wire format sends a
/// list label as Python's `repr` (`['TimeoutError', 'HTTPError:503']`), which is read back as the
/// list. `no_retry_on` wins over `retry_on`.
public struct RetryFilter: Sendable, Hashable {
    /// Retry only errors matching one of these patterns; `nil` retries any error.
    public var retryOn: Set<String>?
    /// Never retry errors matching one of these patterns.
    public var noRetryOn: Set<String>

    /// The label that overrides ``retryOn`` for one task.
    public static let retryOnLabel = "retry_on"
    /// The label that overrides ``noRetryOn`` for one task.
    public static let noRetryOnLabel = "no_retry_on"

    /// Creates a filter.
    /// - Parameters:
    ///   - retryOn: Retry only errors matching one of these patterns; `nil` retries any.
    ///   - noRetryOn: Never retry errors matching one of these patterns.
    public init(retryOn: Set<String>? = nil, noRetryOn: Set<String> = []) {
        self.retryOn = retryOn
        self.noRetryOn = noRetryOn
    }

    /// Whether `error` may be retried for a message with these labels.
    /// - Parameters:
    ///   - error: The task's error.
    ///   - labels: The message's labels, whose `retry_on` / `no_retry_on` replace this filter's lists.
    public func allows(_ error: TaskError, labels: [String: JSONValue] = [:]) -> Bool {
        let retryOn = labels[Self.retryOnLabel].flatMap(Self.patterns) ?? self.retryOn
        let noRetryOn = labels[Self.noRetryOnLabel].flatMap(Self.patterns) ?? self.noRetryOn
        if noRetryOn.contains(where: { Self.matches($0, error) }) { return false }
        guard let retryOn else { return true }
        return retryOn.contains { Self.matches($0, error) }
    }

    /// Whether one pattern matches an error (see the type's documentation for the forms).
    public static func matches(_ pattern: String, _ error: TaskError) -> Bool {
        let pattern = pattern.trimmingASCIIWhitespace()
        guard let colon = pattern.lastIndex(of: ":") else { return matchesName(pattern, error) }
        let name = String(pattern[..<colon])
        let code = String(pattern[pattern.index(after: colon)...])
        guard name == "*" || matchesName(name, error), let first = error.arguments.first else { return false }
        switch first {
        case .int(let value): return String(value) == code
        case .string(let value): return value == code
        default: return false
        }
    }

    private static func matchesName(_ name: String, _ error: TaskError) -> Bool {
        if name == error.name { return true }
        guard let module = error.module else { return false }
        return name == module + "." + error.name
    }

    /// The patterns of a label: a list of strings, or one string separated by commas; `nil` for
    /// `null` or another type, which leaves the middleware's list in force.
    static func patterns(_ value: JSONValue) -> Set<String>? {
        switch value {
        case .array(let items):
            return Set(items.compactMap { $0.stringValue?.trimmingASCIIWhitespace() }.filter { !$0.isEmpty })
        case .string(let text):
            var text = Substring(text.trimmingASCIIWhitespace())
            if text.first == "[", text.last == "]" { text = text.dropFirst().dropLast() }
            return Set(text.split(separator: ",").map(Self.unquoted).filter { !$0.isEmpty })
        default:
            return nil
        }
    }

    /// One item of a comma-separated or `repr` list: trimmed, without its quotes.
    private static func unquoted(_ item: Substring) -> String {
        let text = String(item).trimmingASCIIWhitespace()
        guard text.count >= 2, let first = text.first, first == "'" || first == "\"", text.last == first else { return text }
        return String(text.dropFirst().dropLast())
    }
}
