/// A delivery from a broker: the message bytes and, when the broker supports it, a way to acknowledge it.
public struct AckableMessage: Sendable {
    /// The serialised message.
    public var data: [UInt8]
    /// Acknowledges the delivery; `nil` when the broker cannot acknowledge.
    public var ack: (@Sendable () async throws -> Void)?

    /// Creates a delivery.
    /// - Parameters:
    ///   - data: The serialised message.
    ///   - ack: Called at most once by the receiver, at the moment the ack type names.
    public init(data: [UInt8], ack: (@Sendable () async throws -> Void)? = nil) {
        self.data = data
        self.ack = ack
    }
}
