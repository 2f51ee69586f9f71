import Synchronization
import Taskiq

/// One TCP connection to a Redis server, with pipelining.
///
/// ```swift
/// let connection = try await RedisConnection.connect(try RedisConfiguration(url: "redis://127.0.0.1:6379/0"))
/// defer { connection.close() }
/// try await connection.send(["SET", "greeting", Array("hi\r\n".utf8)])
/// let value = try await connection.send(["GET", "greeting"]).bytes
/// let replies = try await connection.pipeline([["INCR", "n"], ["INCR", "n"]])
/// ```
/// Any number of tasks may send at once: commands are written in the order they are queued
/// and each caller gets its own reply (a FIFO of pending replies). Connecting performs
/// `HELLO 3` with `AUTH` in it — or, if the server refuses `HELLO`, `AUTH` in RESP2 — then
/// `SELECT`. A command that gets no reply within ``RedisConfiguration/commandTimeout`` fails
/// with a timeout and the connection is discarded (its FIFO would be out of step).
///
/// Blocking commands (`BRPOP`, `XREADGROUP ... BLOCK`) stall every command behind them, so
/// send them with ``sendBlocking(_:blockingFor:)`` on a connection of their own: it waits
/// longer than the block time, and cancelling the caller closes the connection, which is
/// how a consumer loop stops promptly. ``RedisClient`` manages such connections and reconnects.
///
/// Dropping the last reference closes the connection.
package final class RedisConnection: Sendable {
    private let core: RedisConnectionCore
    private let handshake: Mutex<(protocolVersion: Int, serverVersion: String?)>

    private init(core: RedisConnectionCore) {
        self.core = core
        self.handshake = Mutex((2, nil))
    }

    deinit {
        core.close()
    }

    /// Connects, authenticates and selects the database.
    /// - Parameters:
    ///   - configuration: Where the server is and how to talk to it.
    ///   - logger: Receives protocol fallbacks and stray replies.
    /// - Throws: ``RedisConnectionError`` naming the server and the reason (refused,
    ///   unreachable, timeout, `WRONGPASS`, `NOAUTH`, a failed `SELECT`), or
    ///   `CancellationError` when the caller is cancelled.
    package static func connect(
        _ configuration: RedisConfiguration,
        logger: Logger = Logger(label: "taskiq.redis")
    ) async throws -> RedisConnection {
        if let nodes = configuration.clusterNodes, !nodes.isEmpty {
            // Pub/sub reaches every node of a cluster: any one will do.
            var lastError: (any Error)?
            for node in nodes {
                var direct = configuration
                direct.clusterNodes = nil
                direct.host = node.host
                direct.port = node.port
                do {
                    return try await connectDirectly(direct, logger: logger)
                } catch {
                    lastError = error
                }
            }
            throw lastError ?? configuration.error(.connectFailed, "no cluster node accepted a connection")
        }
        guard let sentinel = configuration.sentinel else { return try await connectDirectly(configuration, logger: logger) }
        let master = try await sentinel.master(for: configuration, logger: logger)
        var direct = configuration
        direct.sentinel = nil
        direct.host = master.host
        direct.port = master.port
        let connection = try await connectDirectly(direct, logger: logger)
        do {
            // A sentinel's answer can be stale for a moment around a failover: write only to a master.
            let role = try await connection.send(["ROLE"]).array?.first?.string
            guard role == "master" else {
                throw direct.error(
                    .connectFailed,
                    "sentinels named this server master '\(sentinel.masterName)', but its ROLE is \(role ?? "unknown") (a failover in progress?)"
                )
            }
        } catch {
            connection.close()
            throw error
        }
        RedisSentinelWatcher.track(connection, sentinel: sentinel, configuration: configuration, logger: logger)
        return connection
    }

    private static func connectDirectly(_ configuration: RedisConfiguration, logger: Logger) async throws -> RedisConnection {
        let connection = RedisConnection(core: try await RedisConnectionCore.open(configuration, logger: logger))
        do {
            try await connection.performHandshake(logger: logger)
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    /// The configuration the connection was made with.
    package var configuration: RedisConfiguration { core.configuration }

    /// Whether the connection can still carry commands.
    package var isOpen: Bool { core.isOpen }

    /// The error that ended the connection, or `nil` while it is open.
    package var failure: RedisConnectionError? { core.failure }

    /// 3 after a successful `HELLO 3`, otherwise 2.
    package var protocolVersion: Int { handshake.withLock { $0.protocolVersion } }

    /// The server's version as `HELLO` reported it (RESP3 only).
    package var serverVersion: String? { handshake.withLock { $0.serverVersion } }

    /// RESP3 push frames (pub/sub messages, invalidations), which answer no command.
    /// The newest 1024 are buffered; the stream finishes when the connection closes.
    package var pushes: AsyncStream<[RESPValue]> { core.pushes }

    /// Sends one command and returns its reply.
    /// - Parameters:
    ///   - command: The command name and arguments, such as `["SET", key, bytes]`.
    ///   - timeout: How long the reply may take; defaults to ``RedisConfiguration/commandTimeout``.
    /// - Returns: The reply; an error reply is thrown instead.
    /// - Throws: ``RedisError`` for an error reply (the connection stays usable),
    ///   ``RedisConnectionError`` when the connection fails or times out, `CancellationError`
    ///   when the caller is cancelled (the reply is then dropped when it arrives).
    @discardableResult
    package func send(_ command: [any RESPArgument], timeout: Duration? = nil) async throws -> RESPValue {
        let name = Self.name(of: command)
        let reply = try await core.submit(
            command, name: name, timeout: timeout ?? configuration.commandTimeout,
            closesOnCancel: false)
        if let error = reply.redisError { throw refusal(error, command: name) }
        return reply
    }

    /// Sends a command that blocks on the server, such as `BRPOP` or `XREADGROUP ... BLOCK`.
    ///
    /// The reply may take up to `blockingFor` plus ``RedisConfiguration/blockingTimeoutMargin``.
    /// Cancelling the caller closes the connection: the server would otherwise keep it
    /// blocked, and the late reply would answer the next command.
    /// - Parameters:
    ///   - command: The command, with the same block time in its own arguments.
    ///   - blockingFor: The block time in the command; `nil` (or zero) when it blocks forever.
    /// - Returns: The reply (null when the block time passed with nothing to return).
    /// - Throws: As ``send(_:timeout:)``.
    @discardableResult
    package func sendBlocking(_ command: [any RESPArgument], blockingFor: Duration?) async throws -> RESPValue {
        let name = Self.name(of: command)
        let timeout = blockingFor.flatMap { $0 > .zero ? $0 + configuration.blockingTimeoutMargin : nil }
        let reply = try await core.submit(command, name: name, timeout: timeout, closesOnCancel: true)
        if let error = reply.redisError { throw refusal(error, command: name) }
        return reply
    }

    /// Sends several commands in one write and returns their replies in order.
    ///
    /// Error replies are returned as values (``RESPValue/redisError``), not thrown, so one
    /// refused command does not hide the others' replies.
    /// - Parameters:
    ///   - commands: The commands.
    ///   - timeout: How long may pass without any reply arriving.
    /// - Throws: ``RedisConnectionError`` or `CancellationError`.
    package func pipeline(_ commands: [[any RESPArgument]], timeout: Duration? = nil) async throws -> [RESPValue] {
        guard let first = commands.first else { return [] }
        let replies = try await core.submit(
            commands, name: Self.name(of: first), timeout: timeout ?? configuration.commandTimeout,
            closesOnCancel: false)
        for reply in replies {
            if let error = reply.redisError, Self.meansNoLongerMaster(error) { dropAfter(error) }
        }
        return replies
    }

    /// The error for an error reply. `READONLY` (a write to a replica) and `UNBLOCKED` (a
    /// blocked read ended because the server changed role) mean this server is no longer the
    /// master: the connection is dropped too, so the next command connects again — through the
    /// sentinels, to the new master.
    private func refusal(_ error: RedisError, command: String) -> RedisError {
        if Self.meansNoLongerMaster(error) { dropAfter(error) }
        return RedisError(code: error.code, message: error.message, command: command)
    }

    private func dropAfter(_ error: RedisError) {
        drop("the server answered \(error.code): it is no longer the master")
    }

    private static func meansNoLongerMaster(_ error: RedisError) -> Bool {
        error.code == "READONLY" || error.code == "UNBLOCKED"
    }

    /// Writes a command whose only answer is a push frame, such as RESP3 `SUBSCRIBE`;
    /// the confirmation arrives on ``pushes``.
    /// - Throws: ``RedisConnectionError`` when the connection has failed.
    package func sendWithoutReply(_ command: [any RESPArgument]) throws(RedisConnectionError) {
        try core.submitWithoutReply(command)
    }

    /// Closes the connection; commands still waiting fail with a `closedLocally` error.
    package func close() {
        core.close()
    }

    /// Ends the connection because its server is no longer the master: commands still waiting
    /// fail with a `connectionClosed` error saying `reason`, as when the server goes away, so
    /// their callers retry or reconnect — through the sentinels, to the new master.
    func drop(_ reason: String) {
        core.drop(reason)
    }

    func setHandshake(protocolVersion: Int, serverVersion: String?) {
        handshake.withLock { $0 = (protocolVersion, serverVersion) }
    }

    private static func name(of command: [any RESPArgument]) -> String {
        switch command.first {
        // Command names are written in capitals almost always: no new string for those.
        case let name as String: name.utf8.contains(where: { (97...122).contains($0) }) ? name.uppercased() : name
        case let name as Substring: name.uppercased()
        default: "command"
        }
    }
}
