extension AMQPChannel {
    /// Declares `topology` (or, `passive`, checks that it exists), one method at a time.
    /// - Throws: the server's 406 (inequivalent arguments) or 404 (passive, missing) as
    ///   `channelClosedByServer`; the channel is closed afterwards.
    package func declare(_ topology: RabbitMQTopology, passive: Bool = false) async throws {
        for method in topology.declarations(passive: passive) {
            _ = try await connection.call(id, method)
        }
    }
}
