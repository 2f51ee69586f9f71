import Synchronization
import Taskiq

/// Sends each command to the master serving its key's slot in a Redis Cluster, following
/// `MOVED` and `ASK`.
///
/// It keeps the slot map (``RedisClusterTopology``, from `CLUSTER SLOTS` asked of a known master
/// or a seed) and one ``RedisClient`` per master. `-MOVED` updates the map for that slot and
/// refreshes the whole map in the background; `-ASK` (a slot being migrated) sends that one
/// command to the target after `ASKING`, on a dedicated connection; `-TRYAGAIN` (a multi-key
/// command during a migration), `-CLUSTERDOWN` and `-UNBLOCKED` (a blocked read whose key
/// moved away) wait briefly and retry. A command that could
/// not be sent because its master is unreachable is retried after a refresh (a replica may have
/// taken over), with the configuration's backoff and number of attempts; one already in flight fails as it would on a single server, since not every
/// command is idempotent.
package final class RedisClusterRouter: Sendable {
    /// The configuration with the seeds; each master's client gets a copy naming that master.
    package let configuration: RedisConfiguration
    private let seeds: [RedisAddress]
    private let logger: Logger
    private let state = Mutex(State())

    private struct State: Sendable {
        var topology: RedisClusterTopology?
        var nodes: [RedisAddress: RedisClient] = [:]
        var refreshing: Task<RedisClusterTopology, any Error>?
        var lastRefresh: ContinuousClock.Instant?
        var redirects = 0
        var closed = false
    }

    /// Redirects one command follows before it fails: a slot bouncing between nodes means the
    /// cluster is being reconfigured faster than it can be followed.
    static let maximumRedirects = 5
    /// Retries of one command after `TRYAGAIN`, `CLUSTERDOWN` or an unreachable master.
    static let maximumRetries = 5

    /// Creates a router; nothing connects until the first command.
    /// - Parameters:
    ///   - configuration: How to talk to the nodes; ``RedisConfiguration/clusterNodes`` are the seeds.
    ///   - logger: Receives redirects and map refreshes.
    package init(configuration: RedisConfiguration, logger: Logger) {
        let seeds =
            configuration.clusterNodes.flatMap { $0.isEmpty ? nil : $0 }
            ?? [RedisAddress(host: configuration.host, port: configuration.port)]
        var configuration = configuration
        // Errors about the cluster as a whole name the first seed.
        configuration.host = seeds[0].host
        configuration.port = seeds[0].port
        self.configuration = configuration
        self.seeds = seeds
        self.logger = logger
    }

    /// How many `MOVED` and `ASK` replies were followed.
    package var redirectsFollowed: Int { state.withLock { $0.redirects } }

    /// Sends `command` to the master of its key's slot (any master when it has no key).
    package func send(_ command: [any RESPArgument], timeout: Duration? = nil) async throws -> RESPValue {
        try await route(slot: RedisCommandKey.slot(of: command)) { client, asking in
            guard asking else { return try await client.send(command, timeout: timeout) }
            return try await client.withDedicatedConnection { connection in
                try await connection.send(["ASKING"])
                return try await connection.send(command, timeout: timeout)
            }
        }
    }

    /// Sends `commands` in one write to the master of the first key's slot; their keys must share
    /// that slot (use a hash tag). Error replies are returned as values, except that a pipeline
    /// whose every keyed command was redirected is sent again, whole, where it points.
    package func pipeline(_ commands: [[any RESPArgument]], timeout: Duration? = nil) async throws -> [RESPValue] {
        try await route(slot: RedisCommandKey.slot(of: commands)) { client, asking in
            let replies =
                asking
                ? Array(
                    try await client.withDedicatedConnection { try await $0.pipeline([["ASKING"]] + commands, timeout: timeout) }
                        .dropFirst())
                : try await client.pipeline(commands, timeout: timeout)
            // Sent again, whole, where the redirect points when every keyed command was
            // redirected: none of them ran, and the keyless ones (WAIT, PUBLISH) may repeat.
            let keyed = zip(commands, replies).filter { RedisCommandKey.key(of: $0.0) != nil }.map(\.1)
            if let first = keyed.first?.redisError, RedisRedirect(first) != nil,
                keyed.allSatisfy({ $0.redisError.flatMap(RedisRedirect.init) != nil })
            {
                throw first
            }
            return replies
        }
    }

    /// Sends a blocking command to the master of its key's slot, on a dedicated connection.
    package func sendBlocking(_ command: [any RESPArgument], blockingFor: Duration?) async throws -> RESPValue {
        try await route(slot: RedisCommandKey.slot(of: command)) { client, asking in
            guard asking else { return try await client.sendBlocking(command, blockingFor: blockingFor) }
            return try await client.withDedicatedConnection { connection in
                try await connection.send(["ASKING"])
                return try await connection.sendBlocking(command, blockingFor: blockingFor)
            }
        }
    }

    /// The client of the master serving `key`'s slot (of some master when `key` is `nil`).
    package func client(forKey key: [UInt8]?) async throws -> RedisClient {
        try await client(forSlot: key.map(RedisClusterSlot.of))
    }

    /// Closes every master's client; later commands fail with `closedLocally`.
    package func close() {
        let (clients, refreshing) = state.withLock { state in
            state.closed = true
            defer {
                state.nodes = [:]
                state.refreshing = nil
            }
            return (Array(state.nodes.values), state.refreshing)
        }
        refreshing?.cancel()
        for client in clients { client.close() }
    }

    /// Asks a known master, then the seeds, for the slot map (one request at a time, shared by
    /// every caller that arrives while it runs).
    @discardableResult
    package func refresh() async throws -> RedisClusterTopology {
        let task = try state.withLock { state -> Task<RedisClusterTopology, any Error> in
            if state.closed { throw closedError() }
            if let running = state.refreshing { return running }
            let task = Task { try await self.loadTopology() }
            state.refreshing = task
            return task
        }
        return try await task.value
    }

    private func route<T: Sendable>(slot: Int?, _ attempt: (RedisClient, _ asking: Bool) async throws -> T) async throws -> T {
        // Where the last redirect pointed, and whether it was an ASK.
        var redirected: (node: RedisAddress, asking: Bool)?
        var redirects = 0
        var retries = 0
        var unreachable = 0
        while true {
            let asking = redirected?.asking ?? false
            let client: RedisClient
            if let redirected { client = try nodeClient(redirected.node) } else { client = try await self.client(forSlot: slot) }
            redirected = nil
            do {
                return try await attempt(client, asking)
            } catch let error as RedisError {
                if let redirect = RedisRedirect(error) {
                    redirects += 1
                    guard redirects <= Self.maximumRedirects else {
                        throw configuration.error(
                            .connectFailed,
                            "slot \(redirect.slot) was redirected \(redirects) times, the last to \(redirect.host):\(redirect.port) (\(error.code)): the cluster is being reconfigured; try again"
                        )
                    }
                    let target = RedisAddress(host: redirect.host, port: redirect.port)
                    state.withLock { $0.redirects += 1 }
                    if redirect.kind == .moved {
                        state.withLock { $0.topology?.move(slot: redirect.slot, to: target) }
                        refreshSoon()
                    }
                    redirected = (target, redirect.kind == .ask)
                    continue
                }
                // UNBLOCKED: a blocked read whose key was migrated away (or whose master became a
                // replica); nothing was read, so it is asked again where the key is now.
                guard ["TRYAGAIN", "CLUSTERDOWN", "UNBLOCKED"].contains(error.code), retries < Self.maximumRetries else { throw error }
                retries += 1
                try await Task.sleep(for: .milliseconds(25 << retries))
                if error.code != "TRYAGAIN" { _ = try? await refresh() }
            } catch let error as RedisConnectionError
                where Self.wasNotSent(error) && unreachable < configuration.reconnect.attemptsPerCommand
            {
                // Nothing reached the master: after a refresh the slot may have a new one (a
                // replica takes over once the cluster's node timeout has passed).
                unreachable += 1
                logger.warning("Redis cluster node unreachable (attempt \(unreachable)), refreshing the slot map: \(error)")
                try await Task.sleep(for: configuration.reconnect.delay(afterFailures: unreachable))
                _ = try? await refresh()
            }
        }
    }

    /// Whether the command never left this process: connecting failed.
    private static func wasNotSent(_ error: RedisConnectionError) -> Bool {
        error.code == .connectionRefused || error.code == .connectFailed || error.code == .unknownHost
    }

    private func client(forSlot slot: Int?) async throws -> RedisClient {
        var topology = state.withLock { $0.topology }
        if topology == nil { topology = try await refresh() }
        guard let topology else { throw closedError() }
        if let slot {
            guard let master = topology.master(forSlot: slot) else {
                refreshSoon()
                throw configuration.error(.connectFailed, "no master serves slot \(slot) (is the cluster down or being reconfigured?)")
            }
            return try nodeClient(master)
        }
        return try nodeClient(topology.masters.first ?? seeds[0])
    }

    private func nodeClient(_ address: RedisAddress) throws -> RedisClient {
        try state.withLock { state in
            if state.closed { throw closedError() }
            if let client = state.nodes[address] { return client }
            var node = configuration
            node.clusterNodes = nil
            // The router, not each master's client, rides out a failover: it looks the slot up
            // again between attempts, where the client would keep knocking on a dead master.
            node.reconnect.attemptsPerCommand = 1
            node.host = address.host
            node.port = address.port
            let client = RedisClient(configuration: node, logger: logger)
            state.nodes[address] = client
            return client
        }
    }

    /// Refreshes the map in the background unless that happened in the last half second.
    private func refreshSoon() {
        let due = state.withLock { state -> Bool in
            guard !state.closed, state.refreshing == nil else { return false }
            return state.lastRefresh.map { $0.duration(to: .now) > .milliseconds(500) } ?? true
        }
        if due { Task { _ = try? await self.refresh() } }
    }

    private func loadTopology() async throws -> RedisClusterTopology {
        let known = state.withLock { $0.topology?.masters ?? [] }
        var candidates: [RedisAddress] = []
        for address in known + seeds where !candidates.contains(address) { candidates.append(address) }
        var problems: [String] = []
        for address in candidates {
            do {
                let reply = try await nodeClient(address).send(["CLUSTER", "SLOTS"])
                let topology = try RedisClusterTopology(slots: reply, askedAt: address)
                state.withLock { state in
                    state.topology = topology
                    state.refreshing = nil
                    state.lastRefresh = .now
                }
                return topology
            } catch let error as RedisConnectionError where error.code == .closedLocally {
                state.withLock { $0.refreshing = nil }
                throw error
            } catch {
                problems.append("\(address): \(error)")
            }
        }
        state.withLock { state in
            state.refreshing = nil
            state.lastRefresh = .now
        }
        throw configuration.error(.connectFailed, "no cluster node answered CLUSTER SLOTS: \(problems.joined(separator: "; "))")
    }

    private func closedError() -> RedisConnectionError {
        configuration.error(.closedLocally, "the Redis cluster client was closed")
    }
}
