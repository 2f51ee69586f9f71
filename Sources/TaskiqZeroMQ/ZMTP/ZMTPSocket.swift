import Dispatch
import Synchronization
import Taskiq

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A ZeroMQ-compatible socket (PUB, SUB, PUSH or PULL) speaking ZMTP 3.1 over TCP, without libzmq.
///
/// ```swift
/// let pull = ZMTPSocket(type: .pull)
/// let endpoint = try pull.bind("tcp://127.0.0.1:0")
/// let push = ZMTPSocket(type: .push)
/// try push.connect(endpoint.description)
/// try await push.send([Array("hello".utf8)])
/// let parts = try await pull.receive()
/// ```
/// A socket may bind and connect any number of endpoints. Each connection has a reader thread
/// that feeds a ``ZMTPMachine`` and, while it has bytes to send, a writer thread; connecting
/// endpoints reconnect with a randomized backoff and re-send READY and subscriptions. A peer that breaks the protocol is
/// logged and disconnected while the others keep being served.
///
/// Semantics follow ZeroMQ: PUB fans out to subscribers whose prefix matches and drops for a
/// peer above the high-water mark; SUB filters and re-subscribes after reconnects; PUSH
/// round-robins over ready peers with room and, unlike a silent drop, throws after
/// ``ZMTPSocketOptions/sendTimeout`` when none has; PULL fair-queues all peers.
package final class ZMTPSocket: Sendable {
    struct Peer {
        let connection: ZMTPConnection
        /// The listening descriptor that accepted it; `nil` for a connection we made.
        var listener: Int32?
        var ready = false
        var commandSubscriptions = true
        var subscriptions: [[UInt8]: Int] = [:]
    }

    struct State {
        var closed = false
        var nextID: UInt64 = 0
        var peers: [UInt64: Peer] = [:]
        /// Ready peers in the order they became ready, for round-robin.
        var readyOrder: [UInt64] = []
        var roundRobin = 0
        var inbox = FIFOBuffer<[[UInt8]]>()
        var receivers: [(id: UInt64, continuation: CheckedContinuation<[[UInt8]], any Error>)] = []
        var blockedReaders: [ZMTPConnection] = []
        var generation: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var subscriptions: [[UInt8]: Int] = [:]
        var listeners: [TCPListener] = []
        var connectorWakeups: [DispatchSemaphore] = []
        var threads = 0
        var dropped = 0
        /// Connections being served per listening descriptor, against ``ZMTPSocketOptions/maxConnections``.
        var listenerConnections: [Int32: Int] = [:]
        /// Connections refused because their listener was full.
        var refused = 0

        var inboxCount: Int { inbox.count }

        mutating func nextIdentifier() -> UInt64 {
            nextID += 1
            return nextID
        }

        mutating func popInbox() -> [[UInt8]]? { inbox.popFirst() }

        /// Marks a change and hands back the waiters to resume outside the lock.
        mutating func changed() -> [CheckedContinuation<Void, Never>] {
            generation &+= 1
            guard !waiters.isEmpty else { return [] }
            let woken = Array(waiters.values)
            waiters.removeAll()
            return woken
        }
    }

    /// The socket's type.
    package let type: ZMTPSocketType
    /// The options it was created with.
    package let options: ZMTPSocketOptions
    let logger: Logger
    let state = Mutex(State())
    let violations = Atomic<Int>(0)

    /// Peers disconnected for breaking the protocol or a limit (an oversized frame or message).
    package var protocolViolations: Int { violations.load(ordering: .relaxed) }

    /// Batches written by any connection's writer. A drain does not take the socket's lock
    /// unless someone waits (``waiting``): the writer threads drain after every batch, and
    /// contending with senders for the lock each time cost a third of a busy producer's CPU.
    private let drains = Atomic<UInt64>(0)
    /// Registered ``waitUntil`` waiters; never below the true count while one is registered.
    private let waiting = Atomic<Int>(0)

    /// Creates a socket; it does nothing until it binds or connects.
    /// - Parameters:
    ///   - type: PUB, SUB, PUSH or PULL.
    ///   - options: Limits, high-water marks and timeouts.
    ///   - logger: Where disconnections and bad peers are reported.
    package init(type: ZMTPSocketType, options: ZMTPSocketOptions = .init(), logger: Logger = Logger(label: "taskiq.zmtp")) {
        precondition([.pub, .sub, .push, .pull].contains(type), "ZMTPSocket implements PUB, SUB, PUSH and PULL, not \(type.name)")
        self.type = type
        self.options = options
        self.logger = logger
    }

    var machineOptions: ZMTPMachine.Options {
        ZMTPMachine.Options(
            socketType: type, maxFrameSize: options.maxFrameSize, maxMessageSize: options.maxMessageSize,
            minorVersion: options.zmtpMinorVersion)
    }

    // MARK: Bind and connect

    /// Listens on `endpoint` and accepts peers until closed.
    /// - Parameter endpoint: `tcp://host:port`; `*` binds all interfaces, port 0 an ephemeral port.
    /// - Returns: The bound endpoint, with the port the kernel chose.
    @discardableResult
    package func bind(_ endpoint: String) throws -> ZMTPEndpoint {
        var parsed = try ZMTPEndpoint(parsing: endpoint)
        let listener = try parsed.listen()
        parsed.port = listener.port
        let accepted = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.listeners.append(listener)
            state.threads += 1
            return true
        }
        guard accepted else {
            listener.close()
            throw ZMTPError(.closed, "cannot bind \(parsed): the \(type.name) socket is closed")
        }
        let bound = parsed
        startThread(name: "zmtp-accept") { [self] in acceptLoop(listener, endpoint: bound) }
        logger.debug("ZMTP \(type.name) bound \(bound)")
        return bound
    }

    /// Connects to `endpoint` in the background, reconnecting whenever the connection drops.
    ///
    /// Returns at once: the connection is made by a thread that retries with randomized
    /// backoff, as libzmq does, so the peer may start later.
    /// - Parameter endpoint: `tcp://host:port`.
    package func connect(_ endpoint: String) throws {
        let parsed = try ZMTPEndpoint(parsing: endpoint)
        _ = try parsed.socketAddress(binding: false)  // Fail now on `*` or an unknown host.
        let wakeup = DispatchSemaphore(value: 0)
        let accepted = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.connectorWakeups.append(wakeup)
            state.threads += 1
            return true
        }
        guard accepted else { throw ZMTPError(.closed, "cannot connect to \(parsed): the \(type.name) socket is closed") }
        startThread(name: "zmtp-connect") { [self] in connectLoop(parsed, wakeup: wakeup) }
    }

    private func startThread(name: String, _ body: @escaping @Sendable () -> Void) {
        let finished: @Sendable () -> Void = { [self] in
            let woken = state.withLock { state in
                state.threads -= 1
                return state.changed()
            }
            resume(woken)
        }
        do {
            try PlatformThread.start(name: name) {
                body()
                finished()
            }
        } catch {
            logger.error("ZMTP \(type.name) could not start its \(name) thread: \(error)")
            finished()
        }
    }

    private var isClosed: Bool { state.withLock { $0.closed } }

    private func acceptLoop(_ listener: TCPListener, endpoint: ZMTPEndpoint) {
        var warnedFull = false
        while let client = listener.accept() {
            // Each connection costs one or two threads: a listener serves at most maxConnections at once.
            let (admitted, woken) = state.withLock { state -> (Bool, [CheckedContinuation<Void, Never>]) in
                let open = state.listenerConnections[listener.descriptor, default: 0]
                guard open < options.maxConnections else {
                    state.refused += 1
                    return (false, state.changed())  // Waiters on refusedConnectionCount see it at once.
                }
                state.listenerConnections[listener.descriptor] = open + 1
                return (true, [])
            }
            resume(woken)
            guard admitted else {
                // Warn once per time the listener fills up, so a flood of connections cannot flood the log.
                let message =
                    "Refusing ZMTP connection from \(client.peerName) to \(endpoint): \(options.maxConnections) connections are open, the most one endpoint serves (max_connections)"
                if warnedFull { logger.debug(message) } else { logger.warning(message) }
                warnedFull = true
                client.shutdown()
                client.close()
                continue
            }
            warnedFull = false
            guard let connection = register(client, listener: listener.descriptor) else {
                state.withLock { $0.listenerConnections[listener.descriptor, default: 1] -= 1 }
                client.close()
                break
            }
            state.withLock { $0.threads += 1 }
            startThread(name: "zmtp-reader") { [self] in
                _ = serve(connection, endpoint: endpoint)
            }
        }
        listener.close()
    }

    private func connectLoop(_ endpoint: ZMTPEndpoint, wakeup: DispatchSemaphore) {
        let backoff = options.reconnectBackoff
        var attempt = 1
        var hadSession = false
        while !isClosed {
            do {
                let tcp = try endpoint.connect(timeout: options.connectTimeout)
                guard let connection = register(tcp) else {
                    tcp.close()
                    break
                }
                if hadSession { TaskiqMetrics.reconnected("zeromq") }
                if serve(connection, endpoint: endpoint) {  // A completed handshake starts the delays again.
                    attempt = 1
                    hadSession = true
                }
            } catch {
                logger.trace("ZMTP \(type.name) could not connect: \(error)")
            }
            guard !isClosed else { break }
            let delay = backoff.delay(attempt: attempt)
            attempt += 1
            _ = wakeup.wait(timeout: .now() + .nanoseconds(Int(delay.inSeconds * 1e9)))
        }
    }

    private func register(_ tcp: TCPConnection, listener: Int32? = nil) -> ZMTPConnection? {
        let connection = state.withLock { state -> ZMTPConnection? in
            guard !state.closed else { return nil }
            let connection = ZMTPConnection(id: state.nextIdentifier(), tcp: tcp) { [self] in peerDrained($0) }
            state.peers[connection.id] = Peer(connection: connection, listener: listener)
            return connection
        }
        return connection
    }

    // MARK: Close

    /// Stops accepting and connecting, disconnects every peer, and fails pending calls.
    ///
    /// - Parameter linger: How long to wait first for queued messages to be written, as
    ///   ZeroMQ's linger does; a short-lived producer uses it so its last sends are not lost.
    package func close(linger: Duration = .zero) async {
        if linger > .zero {
            _ = try? await waitUntil(timeout: linger) { state in
                state.closed || state.peers.values.allSatisfy { $0.connection.pendingMessages == 0 } ? true : nil
            }
        }
        let (listeners, connections, wakeups, receivers, readers, waiters) = state.withLock { state in
            state.closed = true
            defer {
                state.receivers = []
                state.blockedReaders = []
            }
            return (
                state.listeners, state.peers.values.map(\.connection), state.connectorWakeups, state.receivers,
                state.blockedReaders, state.changed()
            )
        }
        for listener in listeners { listener.shutdown() }
        for connection in connections { connection.tcp.shutdown() }
        for wakeup in wakeups { wakeup.signal() }
        for reader in readers { reader.readerResume.signal() }
        let error = ZMTPError(.closed, "the \(type.name) socket was closed")
        for receiver in receivers { receiver.continuation.resume(throwing: error) }
        resume(waiters)
        _ = try? await waitUntil(timeout: .seconds(5)) { $0.threads == 0 ? true : nil }
    }

    // MARK: Waiting for state changes

    /// Runs `check` under the lock after every change until it returns a value or `timeout`
    /// passes (then `nil`). Never a fixed sleep: each wait ends at the next change.
    ///
    /// `recheckEvery` also re-runs `check` at that interval, for conditions no event announces
    /// (a peer's TCP acknowledging bytes).
    func waitUntil<T: Sendable>(
        timeout: Duration, recheckEvery: Duration? = nil, _ check: @Sendable (inout State) -> T?
    ) async throws -> T? {
        let deadline = ContinuousClock.now + timeout
        while true {
            // The drain count is read before the check: a drain after it is then always seen.
            let (value, seen) = state.withLock { state in
                (check(&state), Seen(generation: state.generation, drains: drains.load(ordering: .sequentiallyConsistent)))
            }
            if let value { return value }
            try Task.checkCancellation()
            guard ContinuousClock.now < deadline else { return nil }
            let wake = recheckEvery.map { min(deadline, ContinuousClock.now + $0) } ?? deadline
            await waitForChange(after: seen, deadline: wake)
        }
    }

    /// The state a waiter last checked: a change of either part ends its wait.
    private struct Seen: Sendable {
        var generation: UInt64
        var drains: UInt64
    }

    private func waitForChange(after seen: Seen, deadline: ContinuousClock.Instant) async {
        let id = state.withLock { $0.nextIdentifier() }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.awaitChange(id: id, after: seen) }
            group.addTask { try? await Task.sleep(until: deadline, clock: .continuous) }
            await group.next()
            group.cancelAll()
        }
    }

    private func awaitChange(id: UInt64, after seen: Seen) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.generation != seen.generation || Task.isCancelled { return true }
                    // Announce the waiter, then look at the drain count (peerDrained does the
                    // opposite): of a concurrent drain and this registration, at least one sees the other.
                    waiting.add(1, ordering: .sequentiallyConsistent)
                    if drains.load(ordering: .sequentiallyConsistent) != seen.drains {
                        waiting.subtract(1, ordering: .sequentiallyConsistent)
                        return true
                    }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let removed = state.withLock { $0.waiters.removeValue(forKey: id) }
            if let removed { resume([removed]) }
        }
    }

    /// Resumes waiters taken out of ``State/waiters`` and uncounts them.
    private func resume(_ woken: [CheckedContinuation<Void, Never>]) {
        guard !woken.isEmpty else { return }
        waiting.subtract(woken.count, ordering: .sequentiallyConsistent)
        for waiter in woken { waiter.resume() }
    }

    func notifyChanged(_ update: (inout State) -> Void = { _ in }) {
        let woken = state.withLock { state in
            update(&state)
            return state.changed()
        }
        resume(woken)
    }

    private func peerDrained(_ connection: ZMTPConnection) {
        // Always count the drain: a sender that checked for room just before it and registers
        // its waiter just after must see the change, or it sleeps to its deadline.
        drains.add(1, ordering: .sequentiallyConsistent)
        guard waiting.load(ordering: .sequentiallyConsistent) > 0 else { return }
        let woken = state.withLock { $0.changed() }
        resume(woken)
    }

    // MARK: Introspection

    /// Connected peers, whether or not their handshake is complete.
    package var peerCount: Int { state.withLock { $0.peers.count } }
    /// Peers whose READY has arrived.
    package var readyPeerCount: Int { state.withLock { $0.readyOrder.count } }
    /// Connections refused because their endpoint already served ``ZMTPSocketOptions/maxConnections``.
    package var refusedConnectionCount: Int { state.withLock { $0.refused } }
    /// Threads this socket started that are still running: accept, connect and reader threads,
    /// and the writer threads of connections with something to write.
    package var threadCount: Int {
        state.withLock { state in state.threads + state.peers.values.count { $0.connection.hasWriterThread } }
    }
    /// Messages a PUB dropped because no room was left for a subscribed peer.
    package var droppedMessageCount: Int { state.withLock { $0.dropped } }
}
