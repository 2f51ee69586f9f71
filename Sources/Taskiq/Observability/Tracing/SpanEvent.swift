/// Something that happened during a span, such as the `exception` event of a failed task.
public struct SpanEvent: Sendable, Hashable {
    /// The event's name (`exception` for errors, as the semantic conventions name it).
    public var name: String
    /// When it happened, in nanoseconds since the Unix epoch.
    public var timeUnixNano: UInt64
    /// Its attributes, in the order they were added.
    public var attributes: [SpanAttribute]

    /// Creates an event.
    /// - Parameters:
    ///   - name: The name.
    ///   - timeUnixNano: When, in nanoseconds since the Unix epoch.
    ///   - attributes: Its attributes.
    public init(name: String, timeUnixNano: UInt64, attributes: [SpanAttribute] = []) {
        self.name = name
        self.timeUnixNano = timeUnixNano
        self.attributes = attributes
    }
}
