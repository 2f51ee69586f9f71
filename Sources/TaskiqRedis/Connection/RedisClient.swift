import Synchronization
import Taskiq

/// A Redis client that owns its connections and replaces dead ones.
///
/// ```swift
/// let client = RedisClient(configuration: try RedisConfiguration(url: url))
/// try await client.send(["SET", "k", "v"])
/// let popped = try await client.sendBlocking(["BRPOP", "queue", 2], blockingFor: .seconds(2))
/// client.close()
/// ```
/// Ordinary commands share one pipelined connection. Blocking commands each borrow a
/// dedicated connection for their duration (kept for reuse afterwards), so they never stall
/// the shared one. A connection that failed — the server went away, a reply timed out — is
/// not reused: the next command connects again, after a capped, jittered backoff when
/// earlier attempts failed (``RedisReconnectPolicy``). A command that was in flight when its
/// connection died fails rather than being resent, since not every command is idempotent.
package final class RedisClient: Sendable {
    /// The configuration every connection is made with.
    package let configuration: RedisConfiguration
    let logger: Logger
    private let state = Mutex(State())
    /// Routes by key slot when ``RedisConfiguration/clusterNodes`` is set.
    let router: RedisClusterRouter?

    private enum Lookup {
        case ready(RedisConnection)
        case connecting(Task<RedisConnection, any Error>)
    }

    private struct State: Sendable {
        var shared: RedisConnection?
        var connecting: Task<RedisConnection, any Error>?
        var idle: [RedisConnection] = []
        var failures = 0
        var lastFailure: ContinuousClock.Instant?
        var closed = false
    }

    /// The most idle dedicated connections kept for reuse.
    private static let idleLimit = 4

    /// Creates a client; nothing connects until the first command.
    /// - Parameters:
    ///   - configuration: Where the server is and how to talk to it.
    ///   - logger: Receives reconnect attempts.
    package init(configuration: RedisConfiguration, logger: Logger = Logger(label: "taskiq.redis")) {
        self.configuration = configuration
        self.logger = logger
        router = configuration.clusterNodes == nil ? nil : RedisClusterRouter(configuration: configuration, logger: logger)
    }

    deinit {
        close()
    }

    /// Sends one command on the shared connection.
    /// - Throws: ``RedisError`` for an error reply, ``RedisConnectionError`` when no
    ///   connection could be made or the connection failed, `CancellationError`.
    @discardableResult
    package func send(_ command: [any RESPArgument], timeout: Duration? = nil) async throws -> RESPValue {
        if let router { return try await router.send(command, timeout: timeout) }
        return try await connection().send(command, timeout: timeout)
    }

    /// Sends commands in one write on the shared connection; error replies are returned as values.
    package func pipeline(_ commands: [[any RESPArgument]], timeout: Duration? = nil) async throws -> [RESPValue] {
        if let router { return try await router.pipeline(commands, timeout: timeout) }
        return try await connection().pipeline(commands, timeout: timeout)
    }

    /// Sends a blocking command on a dedicated connection; cancelling the caller closes that
    /// connection, so the call returns at once.
    /// - Parameters:
    ///   - command: The command, such as `["BRPOP", queue, 2]`.
    ///   - blockingFor: The block time written in the command; `nil` when it blocks forever.
    @discardableResult
    package func sendBlocking(_ command: [any RESPArgument], blockingFor: Duration?) async throws -> RESPValue {
        if let router { return try await router.sendBlocking(command, blockingFor: blockingFor) }
        return try await withDedicatedConnection { try await $0.sendBlocking(command, blockingFor: blockingFor) }
    }

    /// Lends a connection used by nobody else for the duration of `body` (a consumer loop's
    /// `XREADGROUP ... BLOCK`, then its `XACK`s). It is kept for reuse if still open afterwards.
    /// - Parameter key: On a cluster, the key whose master to lend a connection to (any master
    ///   when `nil`); ignored on a single server.
    package func withDedicatedConnection<T: Sendable>(
        forKey key: [UInt8]? = nil,
        _ body: (RedisConnection) async throws -> T
    ) async throws -> T {
        if let router { return try await router.client(forKey: key).withDedicatedConnection(body) }
        let leased = try state.withLock { state -> RedisConnection? in
            if state.closed { throw closedError() }
            while let connection = state.idle.popLast() {
                if connection.isOpen { return connection }
            }
            return nil
        }
        let connection: RedisConnection
        if let leased { connection = leased } else { connection = try await connectWithBackoff() }
        do {
            let result = try await body(connection)
            giveBack(connection)
            return result
        } catch {
            if error is RedisError { giveBack(connection) } else { connection.close() }
            throw error
        }
    }

    /// The shared connection, connecting (once, for all callers) if there is none; on a
    /// cluster, that of some master.
    package func connection() async throws -> RedisConnection {
        if let router { return try await router.client(forKey: nil).connection() }
        let pending = try state.withLock { state -> Lookup in
            if state.closed { throw closedError() }
            if let shared = state.shared, shared.isOpen { return .ready(shared) }
            state.shared = nil
            if let connecting = state.connecting { return .connecting(connecting) }
            // One attempt shared by every caller that arrives while it runs, so it cannot be a
            // child of any one of them (cancelling that caller would fail the others); it ends
            // with the handshake, and close() cancels it.
            let connecting = Task { try await self.connectShared() }
            state.connecting = connecting
            return .connecting(connecting)
        }
        switch pending {
        case .ready(let connection):
            return connection
        case .connecting(let connecting):
            // Waiting callers may be cancelled without cancelling the shared attempt.
            let outcome = OnceContinuation<RedisConnection>()
            return try await withTaskCancellationHandler {
                // Forwards the shared attempt's outcome; cancelled on return, so it never
                // outlives this call by more than the attempt itself.
                let forward = Task { outcome.resume(with: await connecting.result) }
                defer { forward.cancel() }
                return try await outcome.value
            } onCancel: {
                outcome.resume(with: .failure(CancellationError()))
            }
        }
    }

    /// Closes every connection; later commands fail with a `closedLocally` error.
    package func close() {
        router?.close()
        let (shared, idle, connecting) = state.withLock { state in
            state.closed = true
            defer {
                state.shared = nil
                state.idle = []
                state.connecting = nil
            }
            return (state.shared, state.idle, state.connecting)
        }
        connecting?.cancel()
        shared?.close()
        for connection in idle { connection.close() }
    }

    private func connectShared() async throws -> RedisConnection {
        do {
            let connection = try await connectWithBackoff()
            let keep = state.withLock { state -> Bool in
                state.connecting = nil
                guard !state.closed else { return false }
                state.shared = connection
                return true
            }
            if !keep {
                connection.close()
                throw closedError()
            }
            return connection
        } catch {
            state.withLock { $0.connecting = nil }
            throw error
        }
    }

    private func connectWithBackoff() async throws -> RedisConnection {
        let policy = configuration.reconnect
        var attempt = 0
        while true {
            let wait = state.withLock { state -> Duration in
                guard let last = state.lastFailure else { return .zero }
                let delay = policy.delay(afterFailures: state.failures)
                let elapsed = last.duration(to: .now)
                return elapsed < delay ? delay - elapsed : .zero
            }
            if wait > .zero { try await Task.sleep(for: wait) }
            attempt += 1
            do {
                let connection = try await RedisConnection.connect(configuration, logger: logger)
                let recovered = state.withLock { state -> Int in
                    defer {
                        state.failures = 0
                        state.lastFailure = nil
                    }
                    return state.failures
                }
                if recovered > 0 {
                    logger.info("Reconnected to Redis after \(recovered) failed attempts", metadata: ["redis": configuration.address])
                    TaskiqMetrics.reconnected("redis")
                }
                return connection
            } catch let error as RedisConnectionError {
                state.withLock { state in
                    state.failures += 1
                    state.lastFailure = .now
                }
                let retryable =
                    error.code != .authenticationFailed && error.code != .handshakeFailed
                    && error.code != .closedLocally && error.code != .invalidURL
                guard retryable, attempt < policy.attemptsPerCommand, !Task.isCancelled else { throw error }
                logger.warning("Cannot connect to Redis (attempt \(attempt)): \(error)", metadata: ["redis": configuration.address])
            }
        }
    }

    private func giveBack(_ connection: RedisConnection) {
        let keep = state.withLock { state -> Bool in
            guard !state.closed, connection.isOpen, state.idle.count < Self.idleLimit else { return false }
            state.idle.append(connection)
            return true
        }
        if !keep { connection.close() }
    }

    private func closedError() -> RedisConnectionError {
        configuration.error(.closedLocally, "the Redis client was closed")
    }
}
