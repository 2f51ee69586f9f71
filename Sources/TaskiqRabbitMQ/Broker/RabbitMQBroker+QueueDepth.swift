import Taskiq

extension RabbitMQBroker: QueueDepthReporting {
    /// How long ``queueDepths()`` waits for the server.
    static let queueDepthTimeout: Duration = .seconds(1)

    /// The ready messages of each task queue: Queue.DeclareOk's `message_count` to a passive
    /// declare. Deliveries sent to a worker and not yet acknowledged are not counted.
    ///
    /// The declares go over a channel of their own, opened for the reading and closed after it,
    /// on the write connection (on the read connection while the write side reconnects or the
    /// server blocks its publishing). The kicks' channel and the consumers' are never used: a
    /// refusal such as 404 for a queue deleted behind the broker's back closes only that
    /// channel, and no connection is replaced.
    ///
    /// The caller waits at most one second. The channel's work itself is not cancelled when
    /// the caller stops waiting: it ends when the server answers or the connection fails, and
    /// always closes its channel, so no channel number is reused while the server still holds
    /// it open.
    /// - Throws: ``AMQPConnectionError``: `timeout`, `channelClosedByServer` with the server's
    ///   reply (404: a queue is missing), `connectionLost` when no connection is open (before
    ///   ``startup()``, while reconnecting), or the connection's error.
    public func queueDepths() async throws -> [QueueDepth] {
        let connection = try depthConnection()
        let outcome = OnceContinuation<[QueueDepth]>()
        // Not a child task: the timeout must not cancel a channel's opening or closing midway
        // (the number would be freed here while the server still holds it open).
        Task {
            do {
                outcome.resume(with: .success(try await self.readQueueDepths(on: connection)))
            } catch {
                outcome.resume(with: .failure(error))
            }
        }
        let timer = Task { [configuration] in
            guard (try? await Task.sleep(for: Self.queueDepthTimeout)) != nil else { return }
            outcome.resume(
                with: .failure(
                    AMQPConnectionError(
                        .timeout,
                        message: """
                            \(configuration.redactedURL) did not report the depth of the task queues within \(Self.queueDepthTimeout)
                            """)))
        }
        defer { timer.cancel() }
        return try await outcome.value
    }

    /// The write side's connection if it is open and not blocked, else the read side's.
    private func depthConnection() throws(AMQPConnectionError) -> AMQPConnection {
        let (write, read) = links.withLock { ($0.write, $0.read) }
        for link in [write, read] {
            if let current = link?.machine.withLock({ $0.current }) { return current.link.connection }
        }
        let why = write == nil ? "the broker is not started" : "its connections are reconnecting or blocked by the server"
        throw AMQPConnectionError(
            .connectionLost,
            message: """
                cannot read the depth of the task queues on \(configuration.redactedURL): \(why)
                """)
    }

    /// Passively declares every task queue on a fresh channel of `connection`, then closes it.
    private func readQueueDepths(on connection: AMQPConnection) async throws -> [QueueDepth] {
        let channel = try await connection.openChannel()
        var depths: [QueueDepth] = []
        for queue in topology.queues {
            do {
                let declared = try await channel.declareQueue(queue.name, passive: true)
                depths.append(QueueDepth(queue: queue.name, depth: Int(declared.messageCount)))
            } catch {
                await channel.close()
                throw Self.explainDepth(error, queue: queue.name)
            }
        }
        await channel.close()
        return depths
    }

    /// A refused passive declare, said with the queue it was for.
    private static func explainDepth(_ error: any Error, queue: String) -> any Error {
        guard let error = error as? AMQPConnectionError, error.code == .channelClosedByServer else { return error }
        let reply = "\(error.replyCode.map(String.init) ?? "") \(error.replyText)".trimmingPrefix(" ")
        let what = error.replyCode == 404 ? "it does not exist on the server" : "the server refused the passive declare"
        return AMQPConnectionError(
            error.code, replyCode: error.replyCode, replyText: error.replyText,
            message: """
                cannot read the depth of queue '\(queue)': \(what) (\(reply))
                """)
    }
}
