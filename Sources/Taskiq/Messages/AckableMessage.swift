/// A delivery from a broker: the message bytes and, when the broker supports it, a way to acknowledge it.
public struct AckableMessage: Sendable {
    /// The serialised message.
    public var data: [UInt8]
    /// Acknowledges the delivery; `nil` when the broker cannot acknowledge.
    public var ack: (@Sendable () async throws -> Void)?
    /// Gives the delivery back unacknowledged, so the broker delivers it again later; `nil` when
    /// the broker cannot deliver a message again. The receiver calls it instead of ``ack`` when it
    /// could not keep a message it must not run (its dead letter could not be stored), when the
    /// worker was cancelled while the task ran, and for deliveries taken ahead that never started.
    public var release: (@Sendable () async -> Void)?
    /// Gives a delivery that never started back to the broker at once, for other workers to take
    /// now (the receiver was stopped); `nil` when ``release`` does that already, and is used.
    public var handBack: (@Sendable () async -> Void)?

    /// Creates a delivery.
    /// - Parameters:
    ///   - data: The serialised message.
    ///   - ack: Called at most once by the receiver, at the moment the ack type names.
    ///   - release: Called instead of `ack` to have the message delivered again later.
    ///   - handBack: Called instead of `release` for a delivery that never started, when the
    ///     worker stops; only with `release`.
    public init(
        data: [UInt8], ack: (@Sendable () async throws -> Void)? = nil,
        release: (@Sendable () async -> Void)? = nil, handBack: (@Sendable () async -> Void)? = nil
    ) {
        self.data = data
        self.ack = ack
        self.release = release
        self.handBack = release == nil ? nil : handBack
    }
}
