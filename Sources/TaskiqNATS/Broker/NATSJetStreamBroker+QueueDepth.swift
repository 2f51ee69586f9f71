import Taskiq

extension NATSJetStreamBroker: QueueDepthReporting {
    /// How long ``queueDepths()`` waits for the server, a lost connection's return included.
    static let queueDepthTimeout: Duration = .seconds(1)

    /// The durable consumer's `num_pending` (`$JS.API.CONSUMER.INFO.<stream>.<durable>`): the
    /// stream's messages not yet delivered to any worker of the consumer, reported under the
    /// stream's name. Deliveries awaiting their ack (`num_ack_pending`) and redeliveries are not
    /// counted.
    /// - Throws: ``NATSClientError``: `timeout` after one second, `jetStreamError` (the consumer
    ///   does not exist: 404, API error 10014), `protocolViolation` when the answer has no
    ///   `num_pending`, or the connection's error.
    public func queueDepths() async throws -> [QueueDepth] {
        var api = jetStream
        api.timeout = Self.queueDepthTimeout
        let subject = "CONSUMER.INFO.\(options.streamName).\(options.durable)"
        let info = try await api.api(subject)
        guard let pending = info["num_pending"]?.intValue, pending >= 0 else {
            throw NATSClientError(
                .protocolViolation,
                message: """
                    the answer to $JS.API.\(subject) has no num_pending (a count of 0 or more): \
                    \(info["num_pending"]?.serialized(style: .compact).asString ?? "missing")
                    """)
        }
        return [QueueDepth(queue: options.streamName, depth: pending)]
    }
}
