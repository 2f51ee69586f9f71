import Taskiq

/// Reads the priority streams of a ``RedisStreamBroker`` highest first: one
/// ``RedisStreamConsumer`` per stream (each with its own buffer, acks, lease, claiming and dead
/// letters), merged by priority.
///
/// Each delivery first takes what the highest stream has (buffered, pending or new, without
/// blocking), then the next, so an entry of a lower level runs only when every higher stream is
/// empty at that moment. When all are empty, one `XREADGROUP ... BLOCK` over all the streams waits
/// for the first entry of any, and the loop starts again from the top. Entries of lower levels
/// read ahead stay pending for this consumer, kept fresh by its lease, as with one stream.
final class RedisPriorityReader: Sendable {
    /// The consumers, highest priority first.
    let consumers: [RedisStreamConsumer]
    let client: RedisClient
    let options: RedisStreamBrokerOptions
    let consumerName: String
    let logger: Logger

    init(
        consumers: [RedisStreamConsumer], client: RedisClient, options: RedisStreamBrokerOptions,
        consumerName: String, logger: Logger
    ) {
        self.consumers = consumers
        self.client = client
        self.options = options
        self.consumerName = consumerName
        self.logger = logger
    }

    /// The next delivery, highest priority first; `nil` once cancelled or stopped.
    func next() async throws -> AckableMessage? {
        var failures = 0
        while true {
            if Task.isCancelled || consumers.allSatisfy(\.isStopped) { return nil }
            do {
                if let message = try await pollHighestFirst() { return message }
                try await waitForAny()
                failures = 0
            } catch {
                if Task.isCancelled || consumers.allSatisfy(\.isStopped) { return nil }
                if let error = error as? RedisConnectionError, error.code == .closedLocally { return nil }
                if let error = error as? RedisConnectionError,
                    error.code == .authenticationFailed || error.code == .invalidURL
                {
                    throw error
                }
                if let error = error as? RedisError, error.code == "NOGROUP" {
                    logger.warning("a consumer group of the priority streams is gone (\(error.message)); creating them again")
                    for stream in options.priorityStreams {
                        try? await RedisStreamBroker.createGroup(client: client, stream: stream, group: options.consumerGroupName)
                    }
                    continue
                }
                failures += 1
                for consumer in consumers { consumer.rereadHistory() }
                let delay = Backoff.redisRetry.delay(attempt: failures)
                logger.warning(
                    "reading the priority streams of '\(options.queueName)' failed (\(failures) in a row), retrying in \(delay): \(error)")
                do { try await Task.sleep(for: delay) } catch { return nil }
            }
        }
    }

    private func pollHighestFirst() async throws -> AckableMessage? {
        for consumer in consumers {
            if let message = try await consumer.poll() { return message }
        }
        return nil
    }

    /// One blocking `XREADGROUP` over every stream; what it brings goes to each stream's consumer.
    private func waitForAny() async throws {
        let block = options.xreadBlock
        let streams = consumers.map(\.queue)
        var command: [any RESPArgument] = [
            "XREADGROUP", "GROUP", options.consumerGroupName, consumerName,
            "COUNT", options.xreadCount, "BLOCK", max(1, block.wholeMilliseconds), "STREAMS",
        ]
        for stream in streams { command.append(stream) }
        for _ in streams { command.append(">") }
        let reply = try await client.sendBlocking(command, blockingFor: block)
        let byStream = Self.entriesByStream(reply)
        for consumer in consumers { consumer.accept(byStream[consumer.queue] ?? []) }
    }

    /// A multi-stream read's entries by stream name (RESP2 array of pairs, or RESP3 map).
    static func entriesByStream(_ reply: RESPValue) -> [String: [RedisStreamEntry]] {
        var result: [String: [RedisStreamEntry]] = [:]
        switch reply.withoutAttributes {
        case .map(let pairs):
            for pair in pairs {
                guard let name = pair.key.string else { continue }
                result[name, default: []] += RedisStreamEntry.fromList(pair.value)
            }
        case .array(let streams):
            for stream in streams {
                guard let pair = stream.array, pair.count == 2, let name = pair[0].string else { continue }
                result[name, default: []] += RedisStreamEntry.fromList(pair[1])
            }
        default:
            break
        }
        return result
    }
}
