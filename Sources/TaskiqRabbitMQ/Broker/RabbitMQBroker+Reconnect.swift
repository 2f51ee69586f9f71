import Synchronization
import Taskiq

extension RabbitMQBroker {
    /// The broker's self-healing connections and the stream ``listen()`` feeds.
    struct Links: Sendable {
        var write: RabbitMQLink?
        var read: RabbitMQLink?
        var deliveries: DeliveryStream.Continuation?
    }

    /// The shared backoff between reconnect attempts: ``RabbitMQBrokerOptions/reconnectDelay``
    /// doubling up to ``RabbitMQBrokerOptions/maxReconnectDelay``, each wait shortened by up to a
    /// quarter so that many clients that lost the same server do not return in lockstep.
    var reconnectBackoff: Backoff {
        .exponential(
            initial: options.reconnectDelay, maximum: max(options.reconnectDelay, options.maxReconnectDelay),
            jitter: -0.25...0)
    }

    /// Acks and nacks dropped because the connection their delivery came on was lost (the server
    /// requeued those deliveries, so they arrive again).
    package var droppedAcknowledgements: Int { staleAcknowledgements.load(ordering: .relaxed) }

    /// Connections lost and replaced so far, write and read side together.
    package var reconnects: Int { links.withLock { [$0.write, $0.read] }.compactMap { $0?.losses }.reduce(0, +) }

    func makeLink(
        _ name: String, open: @escaping @Sendable (AMQPConnection) async throws -> RabbitMQLinkSession,
        serve: (@Sendable (RabbitMQLinkSession) async -> Void)? = nil
    ) -> RabbitMQLink {
        RabbitMQLink(name: name, configuration: configuration, backoff: reconnectBackoff, logger: logger, open: open, serve: serve)
    }

    /// Publishes until the server confirms, publishing again on the next connection when the
    /// confirm was lost with the connection, for at most ``RabbitMQBrokerOptions/publishTimeout``.
    ///
    /// Each kick waits only for its own confirm, so concurrent kicks stay pipelined on the channel.
    /// - Throws: `timeout` naming the URL (password masked) and the last error; `publishReturned`,
    ///   `publishNacked`, or the server's channel error (a 404 for a missing exchange) at once.
    func publishConfirmed(_ message: BrokerMessage, link: RabbitMQLink) async throws {
        let lastError = Mutex<AMQPConnectionError?>(nil)
        let attempts = Atomic<Int>(0)
        do {
            try await Self.within(options.publishTimeout) {
                while true {
                    let ready = try await link.ready()
                    attempts.add(1, ordering: .relaxed)
                    do {
                        try await self.publish(message, on: ready.session.channel)
                        return
                    } catch let error as AMQPConnectionError where Self.isConnectionLoss(error.code) {
                        lastError.withLock { $0 = error }
                        link.lost(ready.generation)
                    } catch let error as AMQPConnectionError where error.code == .channelClosedByServer {
                        await link.discard(ready)
                        throw error
                    }
                }
            }
        } catch is PublishTimedOut {
            let last = lastError.withLock { $0 }.map { "; last error: \($0)" } ?? ""
            throw AMQPConnectionError(
                .timeout,
                message: """
                    task \(message.taskID) was not confirmed by \(configuration.redactedURL) within \(options.publishTimeout) \
                    (\(attempts.load(ordering: .relaxed)) publish attempts\(last))
                    """)
        }
    }

    /// The codes that mean the connection, not the message, failed: publishing again may succeed.
    static func isConnectionLoss(_ code: AMQPConnectionError.Code) -> Bool {
        code == .connectionLost || code == .connectionClosedByServer || code == .heartbeatTimeout || code == .timeout
            || code == .closedLocally
    }

    /// Runs `body` with a deadline; past it `body` is cancelled and ``PublishTimedOut`` thrown.
    static func within(_ limit: Duration, _ body: @escaping @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                throw PublishTimedOut()
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// Forwards a session's deliveries to the worker's stream until a consumer ends (its
    /// connection was lost, or the server cancelled it, and the link replaces the connection).
    func pump(_ session: RabbitMQLinkSession, into continuation: DeliveryStream.Continuation) async {
        await withTaskGroup(of: Void.self) { group in
            for (queue, consumer) in zip(topology.queues.map(\.name), session.consumers) {
                group.addTask {
                    do {
                        for try await delivery in consumer {
                            guard let message = await self.deliverable(delivery, from: queue, on: session.channel) else { continue }
                            continuation.yield(message)
                        }
                    } catch {
                        // The link logs the loss once; a consumer's error is the same event.
                    }
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// Sends an ack or nack; on a lost connection it is dropped (the server requeued the
    /// delivery) and counted, never thrown into the worker loop.
    func settle(_ tag: UInt64, on channel: AMQPChannel, _ send: () throws -> Void) {
        do {
            try send()
        } catch {
            let dropped = staleAcknowledgements.add(1, ordering: .relaxed).newValue
            logger.debug(
                "Dropped the acknowledgement of delivery \(tag): its connection is gone and the server requeues it (\(dropped) dropped so far)",
                metadata: ["rabbitmq": configuration.redactedURL])
        }
    }
}

/// The publish timeout passed (internal: ``RabbitMQBroker`` reports it as an ``AMQPConnectionError``).
private struct PublishTimedOut: Error {}
