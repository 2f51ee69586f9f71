/// Turns messages into bytes for the broker and back.
///
/// The default, ``JSONFormatter``, writes taskiq's JSON. Plug another format with
/// `broker.withFormatter(_:)`; every producer and worker sharing a queue must use the same one.
public protocol TaskiqFormatter: Sendable {
    /// Serialises a message for the broker.
    func dumps(_ message: TaskiqMessage) throws -> BrokerMessage
    /// Decodes bytes received from the broker.
    func loads(_ bytes: [UInt8]) throws -> TaskiqMessage
}
