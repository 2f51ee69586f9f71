/// One key and value recorded on a span, an event or the resource.
public struct SpanAttribute: Sendable, Hashable {
    /// The key, such as `taskiq.task_name`.
    public var key: String
    /// The value.
    public var value: SpanAttributeValue

    /// Creates an attribute.
    /// - Parameters:
    ///   - key: The key.
    ///   - value: The value.
    public init(_ key: String, _ value: SpanAttributeValue) {
        self.key = key
        self.value = value
    }
}
