import Taskiq

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Liveness lease and recovery of entries whose consumer died.
///
/// Every ``RedisStreamBrokerOptions/leaseRenewInterval`` a worker:
/// 1. renews its lease key (`SET ... PX lease_ttl`, its value the ``WorkerAnnouncement`` that
///    `check --fleet` reads) and, in the same script, resets the idle
///    time of the entries it holds (`XCLAIM ... 0 id JUSTID`, only while it still owns them),
///    so no one's `XAUTOCLAIM` ever sees a live worker's long-running entry as idle;
/// 2. claims the pending entries of every other consumer that has no lease and has been idle
///    for at least `lease_ttl` (`XCLAIM` with `lease_ttl` as min-idle, so when two live workers
///    race for the same dead consumer's entries only the first gets each one);
/// 3. runs `XAUTOCLAIM` with `idle_timeout` as the backstop;
/// 4. removes consumers left with nothing pending, no lease and a long idle time.
///
/// Unlike taskiq-redis this happens on a timer, not only after a non-empty read. Consumers
/// without a lease (Python taskiq-redis workers) are only claimed from once idle for
/// `lease_ttl` too, which a live taskiq-redis worker never is while it polls.
extension RedisStreamConsumer {
    static let renewScript = """
        redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[3])
        local refreshed = 0
        for i = 5, #ARGV do
          local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
          if p[1] and p[1][2] == ARGV[2] then
            redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
            refreshed = refreshed + 1
          end
        end
        return refreshed
        """

    static let removeConsumerScript = """
        if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
        local p = redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2])
        if #p > 0 then return 0 end
        return redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
        """

    /// Renews the lease (and the idle time of held entries); then claims, until cancelled.
    func maintain() async {
        var cursor = "0-0"
        while !Task.isCancelled {
            do {
                try await renewLease()
                try await claimFromDeadConsumers()
                cursor = try await autoclaim(from: cursor)
            } catch  where !(error is CancellationError) && !Task.isCancelled {
                if let error = error as? RedisError, error.code == "NOGROUP" {
                    try? await RedisStreamBroker.createGroup(client: client, stream: queue, group: group)
                } else {
                    logger.warning("lease renewal or claiming on '\(queue)' failed: \(error)")
                }
            } catch {
                return
            }
            do { try await Task.sleep(for: options.leaseRenewInterval) } catch { return }
        }
    }

    /// Sets the lease key and resets the idle time of entries this consumer holds.
    func renewLease() async throws {
        let held = state.withLock { Array($0.held) }
        let command: [any RESPArgument] =
            [
                "EVAL", Self.renewScript, 2, queue, leaseKey, group, consumerName,
                options.leaseTTL.wholeMilliseconds, announcement,
            ] + held
        try await client.send(command)
    }

    /// Deletes the lease, so other workers may claim what this consumer still holds at once.
    func releaseLease() async {
        do { try await client.send(["DEL", leaseKey], timeout: .seconds(2)) } catch {
            logger.warning("cannot delete the lease \(leaseKey): \(error); it expires in \(options.leaseTTL)")
        }
    }

    private var room: Int { max(0, options.xreadCount - state.withLock { $0.buffered }) }

    /// Claims the pending entries of consumers whose lease is gone.
    func claimFromDeadConsumers() async throws {
        let ttl = options.leaseTTL.wholeMilliseconds
        let reply = try await client.send(["XINFO", "CONSUMERS", queue, group])
        var candidates: [String] = []
        var idleEmpty: [String] = []
        for consumer in reply.array ?? [] {
            guard let fields = consumer.pairs else { continue }
            var name: String?
            var pending = 0
            var idle = 0
            for pair in fields {
                switch pair.key.string {
                case "name": name = pair.value.string
                case "pending": pending = pair.value.int ?? 0
                case "idle": idle = pair.value.int ?? 0
                default: break
                }
            }
            guard let name, name != consumerName, idle >= ttl else { continue }
            if pending > 0 {
                candidates.append(name)
            } else if idle >= max(60_000, 4 * ttl) {
                idleEmpty.append(name)
            }
        }
        for name in idleEmpty {
            let key = Self.leaseKey(queue: RedisClusterSlot.anchor(queue, on: client.configuration), group: group, consumer: name)
            if try await client.send(["EVAL", Self.removeConsumerScript, 2, queue, key, group, name]).int == 1 {
                logger.debug("removed consumer '\(name)' of '\(queue)': no lease and nothing pending")
            }
        }
        guard !candidates.isEmpty else { return }
        let leases = try await client.pipeline(
            candidates.map {
                ["EXISTS", Self.leaseKey(queue: RedisClusterSlot.anchor(queue, on: client.configuration), group: group, consumer: $0)]
            })
        for (name, lease) in zip(candidates, leases) where lease.int == 0 {
            while room > 0 {
                let pending = try await client.send(["XPENDING", queue, group, "IDLE", ttl, "-", "+", room, name])
                var counts: [String: Int] = [:]
                for row in pending.array ?? [] {
                    guard let fields = row.array, fields.count == 4, let id = fields[0].string else { continue }
                    counts[id] = RedisStreamEntry.deliveryCount(fields[3]) ?? 1
                }
                if counts.isEmpty { break }
                let ids = (pending.array ?? []).compactMap { $0.array?.first?.string }
                let claimed = try await client.send(["XCLAIM", queue, group, consumerName, ttl] + ids)
                var entries = RedisStreamEntry.fromList(claimed)
                for index in entries.indices { entries[index].deliveries = (counts[entries[index].id] ?? 0) + 1 }
                logger.warning(
                    """
                    claimed \(entries.count) of \(ids.count) pending entries of consumer '\(name)' on '\(queue)': \
                    its lease expired
                    """)
                if entries.isEmpty { break }
                state.withLock { $0.push(entries) }
            }
        }
    }

    /// `XAUTOCLAIM` entries idle longer than `idle_timeout`; returns the next cursor.
    func autoclaim(from cursor: String) async throws -> String {
        let room = self.room
        guard room > 0 else { return cursor }
        let reply = try await client.send([
            "XAUTOCLAIM", queue, group, consumerName,
            options.idleTimeout.wholeMilliseconds, cursor, "COUNT", room,
        ])
        guard let parts = reply.array, parts.count >= 2 else { return "0-0" }
        var entries = RedisStreamEntry.fromList(parts[1])
        // An entry this worker holds (running, or waiting for its ack) looks idle only when the
        // process stalled for longer than idle_timeout between renewing it and this claim: it is
        // still this consumer's, and must not start a second time.
        if !entries.isEmpty { state.withLock { state in entries.removeAll { state.held.contains($0.id) } } }
        if !entries.isEmpty {
            let counts = try await deliveryCounts(entries.map(\.id))
            for index in entries.indices { entries[index].deliveries = counts[entries[index].id] ?? 1 }
            logger.warning("claimed \(entries.count) entries of '\(queue)' idle longer than idle_timeout (\(options.idleTimeout))")
            state.withLock { $0.push(entries) }
        }
        return parts[0].string ?? "0-0"
    }
}
