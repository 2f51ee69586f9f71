/// A message rejected because it exceeds one of its ``MessageLimits``.
///
/// The ``Receiver`` treats it as an undecodable message whose reason is this error: logged,
/// counted per ``limit`` and acknowledged.
public struct MessageLimitError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The cap that was exceeded.
    public var limit: MessageLimits.Limit
    /// The cap's value.
    public var maximum: Int
    /// The value found; for the depth, the first level past the cap (parsing stops there).
    public var observed: Int
    /// A sentence naming the cap, the value found and where.
    public var message: String

    /// Creates an error.
    /// - Parameters:
    ///   - limit: The cap exceeded.
    ///   - maximum: The cap's value.
    ///   - observed: The value found.
    ///   - what: What was measured, such as `"message of 20000 bytes"`; the sentence adds the cap.
    public init(_ limit: MessageLimits.Limit, maximum: Int, observed: Int, _ what: String) {
        self.limit = limit
        self.maximum = maximum
        self.observed = observed
        self.message = "\(what) exceeds \(limit.name) = \(maximum)"
    }

    public var description: String { message }
}
