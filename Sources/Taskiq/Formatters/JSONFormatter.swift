/// taskiq's JSON message format.
///
/// ``Style/python`` (the default) writes exactly the bytes Python taskiq's default `ProxyFormatter`
/// with `JSONSerializer` writes: `", "` and `": "` separators, non-ASCII escaped. ``Style/compact``
/// matches taskiq's `JSONFormatter`. Both styles decode any valid JSON, and `NaN`, `Infinity` and
/// `-Infinity` as Python's `json.loads` does; both write non-finite doubles that way, so a value
/// never turns into another on the way (Python's own producers write `null` for them).
public struct JSONFormatter: TaskiqFormatter {
    /// How messages are written.
    public enum Style: Sendable {
        /// Byte-identical to Python taskiq's default formatter.
        case python
        /// No spaces after separators (taskiq's `JSONFormatter`).
        case compact
    }

    /// How messages are written.
    public var style: Style

    /// ``Style/compact``'s writing: no spaces, UTF-8 unescaped, non-finite doubles as literals.
    private static let compactWriting = JSONWriter.Style(spacedSeparators: false, asciiOnly: false, nonFiniteAsLiterals: true)
    /// The largest message ``loads(_:)`` decodes; a ``Receiver`` uses its own ``MessageLimits`` instead.
    public var maxMessageBytes: Int
    /// The deepest nesting ``loads(_:)`` accepts; a ``Receiver`` uses its own ``MessageLimits`` instead.
    public var maxDepth: Int

    /// Creates a formatter.
    /// - Parameters:
    ///   - style: How messages are written; `.python` by default.
    ///   - maxMessageBytes: Larger messages are rejected without being parsed (default 16 MiB).
    ///   - maxDepth: Deeper nesting is rejected (default 128).
    public init(style: Style = .python, maxMessageBytes: Int = 16 << 20, maxDepth: Int = 128) {
        self.style = style
        self.maxMessageBytes = maxMessageBytes
        self.maxDepth = maxDepth
    }

    public func dumps(_ message: TaskiqMessage) throws -> BrokerMessage {
        var bytes: [UInt8] = []
        message.writeWire(with: JSONWriter(style: style == .python ? .python : Self.compactWriting), into: &bytes)
        return BrokerMessage(taskID: message.taskID, taskName: message.taskName, message: bytes, labels: message.labels)
    }

    public func loads(_ bytes: [UInt8]) throws -> TaskiqMessage {
        guard bytes.count <= maxMessageBytes else {
            throw TaskiqError(.invalidMessage, "message of \(bytes.count) bytes exceeds the limit of \(maxMessageBytes) bytes")
        }
        do {
            return try TaskiqMessage(
                wireBytes: bytes, parser: JSONParser(maximumDepth: maxDepth, maximumInputSize: Int.max, allowNonFinite: true))
        } catch let error as JSONParseError {
            throw TaskiqError(.invalidMessage, "message is not valid JSON", underlying: error)
        }
    }

    /// Decodes under `limits`, which replace ``maxMessageBytes`` and ``maxDepth``: the size is
    /// checked before parsing and the depth while parsing.
    public func loads(_ bytes: [UInt8], limits: MessageLimits) throws -> TaskiqMessage {
        try limits.checkSize(bytes.count)
        let message: TaskiqMessage
        do {
            message = try TaskiqMessage(
                wireBytes: bytes,
                parser: JSONParser(maximumDepth: limits.maxDepth, maximumInputSize: Int.max, allowNonFinite: true))
        } catch let error as JSONParseError where error.code == .tooDeep {
            throw MessageLimitError(
                .depth, maximum: limits.maxDepth, observed: limits.maxDepth + 1,
                "arrays and objects nested \(limits.maxDepth + 1) levels deep at byte \(error.offset)")
        } catch let error as JSONParseError {
            throw TaskiqError(.invalidMessage, "message is not valid JSON", underlying: error)
        }
        try limits.checkContents(message)
        return message
    }
}
