/// Turns messages into bytes for the broker and back.
///
/// The default, ``JSONFormatter``, writes taskiq's JSON. Plug another format with
/// `broker.withFormatter(_:)`; every producer and worker sharing a queue must use the same one.
public protocol TaskiqFormatter: Sendable {
    /// Serialises a message for the broker.
    func dumps(_ message: TaskiqMessage) throws -> BrokerMessage
    /// Decodes bytes received from the broker.
    func loads(_ bytes: [UInt8]) throws -> TaskiqMessage
    /// Decodes bytes received from the broker, rejecting a message over any of `limits` with a
    /// ``MessageLimitError``.
    ///
    /// The default checks the size first, then decodes with ``loads(_:)`` and checks the rest;
    /// implement it to check the depth while parsing, as ``JSONFormatter`` does.
    func loads(_ bytes: [UInt8], limits: MessageLimits) throws -> TaskiqMessage
}

extension TaskiqFormatter {
    public func loads(_ bytes: [UInt8], limits: MessageLimits) throws -> TaskiqMessage {
        try limits.checkSize(bytes.count)
        let message = try loads(bytes)
        try limits.checkDepth(message)
        try limits.checkContents(message)
        return message
    }
}
