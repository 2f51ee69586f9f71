import Synchronization
import Taskiq

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The worker side of a ``RedisStreamBroker``: reads the consumer group, hands out deliveries,
/// dead-letters what cannot or must not run, and (in `+Reclaim`) keeps the lease and claims
/// entries of dead consumers.
///
/// Reading is pulled by the receiver: one `XREADGROUP` when the local buffer is empty, so a
/// busy worker does not take entries it cannot start. Entries claimed in the background join
/// the same buffer.
final class RedisStreamConsumer: Sendable {
    struct State: Sendable {
        var buffer = FIFOBuffer<RedisStreamEntry>()
        /// Entries read or claimed by this consumer and not yet acknowledged.
        var held: Set<String> = []
        /// Where the re-read of this consumer's own pending entries continues; `nil` once done.
        var historyCursor: String? = "0"
        var stopped = false

        var buffered: Int { buffer.count }

        mutating func pop() -> RedisStreamEntry? { buffer.popFirst() }

        /// Buffers entries to deliver. Once stopped, entries a read or claim still brings in
        /// are not delivered: they stay pending for this consumer, and the shutdown's
        /// ``RedisStreamConsumer/handBack()`` finds them among the entries never received.
        mutating func push(_ entries: [RedisStreamEntry]) {
            guard !stopped else { return }
            buffer.append(contentsOf: entries)
            for entry in entries { held.insert(entry.id) }
        }
    }

    let client: RedisClient
    let options: RedisStreamBrokerOptions
    let consumerName: String
    let leaseKey: String
    /// The lease's value: this worker's ``WorkerAnnouncement`` as JSON, tasks included.
    let announcement: String
    let acks: RedisAckBatcher
    let logger: Logger
    let state = Mutex(State())

    /// The broker's components, whose dead-letter queue (when set) takes the broker's own dead letters.
    let components: BrokerComponents
    /// The `<queue>:dead` stream, used when the components have no dead-letter queue.
    let ownDeadLetters: RedisStreamDeadLetterQueue

    init(
        client: RedisClient, options: RedisStreamBrokerOptions, consumerName: String, logger: Logger,
        components: BrokerComponents, ownDeadLetters: RedisStreamDeadLetterQueue
    ) {
        self.components = components
        self.ownDeadLetters = ownDeadLetters
        self.client = client
        self.options = options
        self.consumerName = consumerName
        self.leaseKey = Self.leaseKey(
            queue: RedisClusterSlot.anchor(options.queueName, on: client.configuration),
            group: options.consumerGroupName, consumer: consumerName)
        self.acks = RedisAckBatcher(client: client, stream: options.queueName, group: options.consumerGroupName, logger: logger)
        self.logger = logger
        self.announcement =
            WorkerAnnouncement(
                host: ProcessInfo.processInfo.hostName, pid: Int(ProcessInfo.processInfo.processIdentifier),
                tasks: components.registry.all.map(\.name)
            ).json
    }

    /// The key whose existence says a consumer is alive; `queue` is the stream's name, or its
    /// ``RedisClusterSlot/anchor(_:on:)`` on a cluster (the lease and the stream meet in one script).
    static func leaseKey(queue: String, group: String, consumer: String) -> String {
        "taskiq:lease:\(queue):\(group):\(consumer)"
    }

    var queue: String { options.queueName }
    var group: String { options.consumerGroupName }

    /// The next delivery; `nil` once the consuming task is cancelled or the broker shut down.
    func next() async throws -> AckableMessage? {
        var failures = 0
        while true {
            if let entry = state.withLock({ $0.pop() }) {
                if let message = await deliverable(entry) { return message }
                continue
            }
            if Task.isCancelled || state.withLock({ $0.stopped }) { return nil }
            do {
                if let cursor = state.withLock({ $0.historyCursor }) {
                    try await readHistory(after: cursor)
                } else {
                    try await readNew()
                }
                failures = 0
            } catch {
                if Task.isCancelled || state.withLock({ $0.stopped }) { return nil }
                if let error = error as? RedisError, error.code == "NOGROUP" {
                    logger.warning("consumer group '\(group)' on '\(queue)' is gone (\(error.message)); creating it again")
                    try? await RedisStreamBroker.createGroup(client: client, stream: queue, group: group)
                    continue
                }
                // A server changing role or a slot changing hands (UNBLOCKED, READONLY, TRYAGAIN,
                // CLUSTERDOWN, MASTERDOWN, LOADING) is passing trouble, like a lost connection.
                let transient = (error as? RedisError)?.isTransient ?? false
                if transient
                    || (error as? RedisConnectionError).map({
                        $0.code != .closedLocally
                            && $0.code != .authenticationFailed && $0.code != .invalidURL
                    }) == true
                {
                    failures += 1
                    // A read whose reply was lost still made its entries pending for this
                    // consumer: look at the pending list again once reconnected.
                    state.withLock { $0.historyCursor = "0" }
                    let delay = Backoff.redisRetry.delay(attempt: failures)
                    logger.warning("reading '\(queue)' failed (\(failures) in a row), retrying in \(delay): \(error)")
                    do { try await Task.sleep(for: delay) } catch { return nil }
                    continue
                }
                if let error = error as? RedisConnectionError, error.code == .closedLocally { return nil }
                throw error
            }
        }
    }

    /// `XREADGROUP ... STREAMS q >`: new entries, blocking up to `xread_block`.
    private func readNew() async throws {
        let block = options.xreadBlock
        let milliseconds = block.wholeMilliseconds
        let reply = try await client.sendBlocking(
            [
                "XREADGROUP", "GROUP", group, consumerName, "COUNT", options.xreadCount, "BLOCK", max(1, milliseconds),
                "STREAMS", queue, ">",
            ],
            blockingFor: block)
        let entries = RedisStreamEntry.fromRead(reply)
        if !entries.isEmpty { state.withLock { $0.push(entries) } }
    }

    /// `XREADGROUP ... STREAMS q <cursor>`: this consumer's own pending entries, left from an
    /// earlier run under the same name, with their delivery counts.
    func readHistory(after cursor: String) async throws {
        let reply = try await client.send([
            "XREADGROUP", "GROUP", group, consumerName, "COUNT", options.xreadCount,
            "STREAMS", queue, cursor,
        ])
        let page = RedisStreamEntry.fromRead(reply)
        guard let last = page.last else {
            state.withLock { $0.historyCursor = nil }
            return
        }
        let held = state.withLock { $0.held }
        var entries = page.filter { !held.contains($0.id) }
        guard !entries.isEmpty else {
            state.withLock { $0.historyCursor = last.id }
            return
        }
        logger.info("re-reading \(entries.count) entries pending for consumer '\(consumerName)' (from an earlier run or a lost reply)")
        let counts = try await deliveryCounts(entries.map(\.id))
        for index in entries.indices { entries[index].deliveries = counts[entries[index].id] ?? 1 }
        state.withLock { state in
            state.historyCursor = last.id
            state.push(entries)
        }
    }

    /// The delivery counts of pending entries, by ID (`XPENDING q g id id 1`, pipelined).
    func deliveryCounts(_ ids: [String]) async throws -> [String: Int] {
        guard !ids.isEmpty else { return [:] }
        let replies = try await client.pipeline(ids.map { ["XPENDING", queue, group, $0, $0, 1] })
        var counts: [String: Int] = [:]
        for reply in replies {
            guard let row = reply.array?.first?.array, row.count == 4, let id = row[0].string,
                let count = RedisStreamEntry.deliveryCount(row[3])
            else { continue }
            counts[id] = count
        }
        return counts
    }

    /// The delivery for an entry, or `nil` after dead-lettering or dropping it.
    func deliverable(_ entry: RedisStreamEntry) async -> AckableMessage? {
        guard entry.fields != nil else {
            logger.warning("entry \(entry.id) of '\(queue)' was deleted (MAXLEN or XDEL) before it ran; acknowledging it")
            await release(entry.id)
            return nil
        }
        if entry.totalDeliveries > options.maxDeliveries {
            await deadLetter(
                entry, reason: .deliveryLimit,
                "delivered \(entry.totalDeliveries) times, more than max_deliveries (\(options.maxDeliveries))")
            return nil
        }
        guard let data = entry.data else {
            let names = entry.fields?.map(\.name).joined(separator: ", ") ?? ""
            await deadLetter(entry, reason: .undecodable, "no 'data' field (fields: \(names.isEmpty ? "none" : names))")
            return nil
        }
        let id = entry.id
        return AckableMessage(
            data: data,
            ack: { [self] in
                try await acks.ack(id)
                state.withLock { _ = $0.held.remove(id) }
            },
            release: { [self] in
                // No longer kept fresh by the lease: once idle for idle_timeout, XAUTOCLAIM delivers it again.
                state.withLock { _ = $0.held.remove(id) }
            },
            handBack: { [self] in
                // The worker stops and never started it: back on the queue now, not after the drain.
                state.withLock { _ = $0.held.remove(id) }
                await reAdd([entry])
            })
    }

    private func release(_ id: String) async {
        do { try await acks.ack(id) } catch { logger.error("cannot acknowledge entry \(id) of '\(queue)': \(error)") }
        state.withLock { _ = $0.held.remove(id) }
    }

    /// Entries pending for this consumer other than `known` (those it read, running or not), with
    /// their delivery counts: entries whose read reply was lost.
    private func unreceived(excluding known: Set<String>) async -> [RedisStreamEntry] {
        var found: [RedisStreamEntry] = []
        var cursor = "0"
        do {
            while true {
                let reply = try await client.send([
                    "XREADGROUP", "GROUP", group, consumerName, "COUNT", options.xreadCount,
                    "STREAMS", queue, cursor,
                ])
                let page = RedisStreamEntry.fromRead(reply)
                guard let last = page.last else { break }
                found += page.filter { !known.contains($0.id) }
                cursor = last.id
            }
            let counts = try await deliveryCounts(found.map(\.id))
            for index in found.indices { found[index].deliveries = counts[found[index].id] ?? 1 }
        } catch {
            logger.warning(
                "cannot look for entries pending for consumer '\(consumerName)' on '\(queue)': \(error); "
                    + "they will be claimed once its lease expires")
            return []
        }
        return found
    }

    /// Stores an entry as a dead letter (in the broker's dead-letter queue, else the
    /// `<queue>:dead` stream), then acknowledges it; when storing fails the entry stays pending.
    func deadLetter(_ entry: RedisStreamEntry, reason: DeadLetter.Reason, _ message: String) async {
        let destination = components.deadLetterQueue ?? ownDeadLetters
        let letter = DeadLetter(
            reason: reason, message: message, data: entry.data ?? [], queue: queue,
            originalID: entry.id, deliveries: entry.totalDeliveries
        ).withMessageDetails()
        logger.error("dead-lettering entry \(entry.id) of '\(queue)': \(message)")
        do {
            if let redis = destination as? RedisStreamDeadLetterQueue, redis.client === client {
                // The same server: store and acknowledge in one round trip, as before.
                let replies = try await client.pipeline([redis.addCommand(letter), ["XACK", queue, group, entry.id]])
                if let error = replies.lazy.compactMap(\.redisError).first { throw error }
            } else {
                try await destination.add(letter)
                try await client.send(["XACK", queue, group, entry.id])
            }
        } catch {
            logger.error("cannot dead-letter entry \(entry.id) of '\(queue)': \(error); it stays pending")
        }
        state.withLock { _ = $0.held.remove(entry.id) }
    }

    /// Stops reading, and gives entries read but never started back to the queue (re-added at
    /// its end, the originals acknowledged, atomically) so other workers take them at once. The
    /// re-added entry carries the original's delivery count (``RedisStreamEntry/deliveriesField``):
    /// a fresh entry starts at zero, so hand-backs would otherwise let an entry loop forever
    /// past ``RedisStreamBrokerOptions/maxDeliveries``.
    ///
    /// That includes entries pending for this consumer that never reached it: the reply of the
    /// read the shutdown cancelled may have been on its way, and Redis made its entries pending
    /// for this consumer all the same. Without this they would wait for the lease to expire.
    func handBack() async {
        let (buffered, known) = state.withLock { state -> ([RedisStreamEntry], Set<String>) in
            state.stopped = true
            let known = state.held
            var entries: [RedisStreamEntry] = []
            while let entry = state.pop() { entries.append(entry) }
            for entry in entries { state.held.remove(entry.id) }
            return (entries, known)
        }
        await reAdd(buffered + (await unreceived(excluding: known)))
    }

    /// Re-adds entries at the end of the queue and acknowledges the originals, atomically, each
    /// carrying its delivery count. Entries past max_deliveries stay pending (the next consumer
    /// to claim them dead-letters them); so do all of them when this fails.
    private func reAdd(_ entries: [RedisStreamEntry]) async {
        let returnable = entries.filter { $0.data != nil && $0.totalDeliveries <= options.maxDeliveries }
        guard !returnable.isEmpty else { return }
        var commands: [[any RESPArgument]] = [["MULTI"]]
        for entry in returnable {
            commands.append([
                "XADD", queue, "*", "data", entry.data ?? [], RedisStreamEntry.deliveriesField,
                String(entry.totalDeliveries),
            ])
            commands.append(["XACK", queue, group, entry.id])
        }
        commands.append(["EXEC"])
        do {
            let replies = try await client.pipeline(commands)
            if let error = replies.lazy.compactMap(\.redisError).first { throw error }
            logger.info("handed \(returnable.count) unstarted entries back to '\(queue)'")
        } catch {
            logger.warning("cannot hand \(returnable.count) unstarted entries back to '\(queue)': \(error); other workers will claim them")
        }
    }
}
