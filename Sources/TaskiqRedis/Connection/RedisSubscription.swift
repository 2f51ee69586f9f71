import Taskiq

/// One pub/sub channel kept subscribed across reconnects: the loop behind the cancel channel
/// and the result notifier.
///
/// ``run()`` opens its own connection (a subscribed RESP3 connection carries push frames, so
/// it is not shared with commands), sends `SUBSCRIBE <channel>` and routes each
/// `message <channel> <payload>` push to ``received``. After each confirmed subscription it
/// calls ``subscribed`` — the owner re-reads whatever may have been published while nobody
/// listened. When the connection drops it reconnects with the configuration's backoff, and
/// logs one warning per outage and one line when it is back. A server that speaks only RESP2
/// cannot push on a shared reader: ``run()`` then hands over to ``withoutPushes`` and returns
/// when it does.
///
/// It ends when its task is cancelled or its connection is closed locally.
struct RedisSubscription: Service {
    /// The channel subscribed to.
    let channel: String
    /// The server.
    let configuration: RedisConfiguration
    /// Receives the outage and recovery lines.
    let logger: Logger
    /// What the channel carries, for log lines ("cancel requests", "result notifications").
    let purpose: String
    /// Offered each new connection before it subscribes; `false` closes it and ends ``run()``
    /// (the owner has closed). The owner may keep it to close it from outside.
    var adopt: @Sendable (RedisConnection) -> Bool = { _ in true }
    /// Called after each confirmed `SUBSCRIBE`; an error counts as a dropped connection.
    var subscribed: @Sendable () async throws -> Void = {}
    /// Called with the payload of each message on the channel.
    let received: @Sendable (String) -> Void
    /// Runs instead of the subscription on a RESP2-only server; ``run()`` returns after it.
    /// An error counts as a dropped connection.
    var withoutPushes: @Sendable () async throws -> Void = {}

    /// Subscribes until cancelled or closed locally, reconnecting with backoff.
    func run() async {
        var failures = 0
        var warned = false
        while !Task.isCancelled {
            do {
                let connection = try await RedisConnection.connect(configuration, logger: logger)
                defer { connection.close() }
                guard adopt(connection) else { return }
                if connection.protocolVersion != 3 {
                    try await withoutPushes()
                    return
                }
                try connection.sendWithoutReply(["SUBSCRIBE", channel])
                for await push in connection.pushes {
                    guard push.count >= 3, let kind = push[0].string, push[1].string == channel else { continue }
                    if kind == "message", let payload = push[2].string {
                        received(payload)
                    } else if kind == "subscribe" {
                        try await subscribed()
                        if warned { logger.info("\(purpose) on '\(channel)' resumed") }
                        failures = 0
                        warned = false
                    }
                }
            } catch {
                if Task.isCancelled { return }
                if let error = error as? RedisConnectionError, error.code == .closedLocally { return }
                if !warned {
                    logger.warning("\(purpose) on '\(channel)' stopped; reconnecting: \(error)")
                    warned = true
                }
            }
            failures += 1
            do {
                try await Task.sleep(for: configuration.reconnect.delay(afterFailures: failures))
            } catch {
                return
            }
        }
    }
}
