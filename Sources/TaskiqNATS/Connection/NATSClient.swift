import Synchronization
import Taskiq

/// What happens to a ``NATSClient``'s connection, for those who watch it.
package enum NATSClientEvent: Sendable {
    /// The connection was lost; the client is reconnecting.
    case disconnected(NATSClientError)
    /// A new connection is up, with every subscription made again.
    case reconnected(server: String)
    /// The server reported an error that did not end the connection (a permissions violation).
    case serverError(String)
}

/// A NATS client that heals itself: one connection at a time to one server of a list, replaced
/// after a loss with the shared backoff, trying every server it knows (the configured ones and
/// those the cluster announces in `INFO connect_urls`).
///
/// Subscriptions survive reconnects: each is made again (same subject, queue group and SID) on
/// the new connection before anything else is written to it. Requests use one wildcard inbox
/// subscription (`_INBOX.<random>.*`, as nats-py); a request whose connection is lost fails with
/// `connectionLost`, since its reply cannot come. Publishing while disconnected waits for the
/// next connection, up to the caller's timeout.
package final class NATSClient: Sendable {
    /// Receives a subscription's messages on the connection's reader thread; must not block.
    package typealias Handler = @Sendable (NATSMessage) -> Void

    struct Subscription {
        var subject: String
        var queueGroup: String?
        var handler: Handler
    }

    struct PendingRequest {
        var continuation: UnsafeContinuation<NATSMessage, any Error>
        var deadline: ContinuousClock.Instant
        var subject: String
    }

    struct State {
        var connection: NATSConnection?
        var closed: NATSClientError?
        var subscriptions: [UInt64: Subscription] = [:]
        /// The streams of ``messages(_:queueGroup:)``, ended by ``unsubscribe(_:)`` and ``close()``.
        var subscriptionEnds: [UInt64: AsyncStream<NATSMessage>.Continuation] = [:]
        var nextSID: UInt64 = 1
        var inboxSID: UInt64?
        var requests: [UInt64: PendingRequest] = [:]
        var nextToken: UInt64 = 0
        var connectionWaiters: [UInt64: UnsafeContinuation<NATSConnection, any Error>] = [:]
        var nextWaiter: UInt64 = 0
        var servers: [NATSConfiguration.Server]
        var serverIndex = 0
        var watchers: [UInt64: AsyncStream<NATSClientEvent>.Continuation] = [:]
        var nextWatcher: UInt64 = 0
        var lastError: NATSClientError?
        /// Whether ``connect()`` succeeded once; before that, nothing waits for a connection.
        var everConnected = false
    }

    /// Servers, credentials, TLS and timings.
    package let configuration: NATSConfiguration
    let logger: Logger
    let state: Mutex<State>
    /// Each subscription's handler by SID, apart from ``state`` so that dispatching a message
    /// (on the reader thread) does not wait for publishers holding the main lock.
    let handlers = Mutex<[UInt64: Handler]>([:])
    /// The prefix of this client's request inbox (`_INBOX.<random>`).
    package let inboxPrefix: String

    /// A client that connects on ``connect()``.
    package init(configuration: NATSConfiguration, logger: Logger = Logger(label: "taskiq.nats")) {
        self.configuration = configuration
        self.logger = logger
        self.inboxPrefix = "_INBOX.\(TaskIDGenerator.uuid4())"
        self.state = Mutex(State(servers: configuration.servers))
    }

    /// A unique subject for replies to this client.
    package func newInbox() -> String { "_INBOX.\(TaskIDGenerator.uuid4())" }

    /// Connects to the first server of the list that answers, trying each once.
    /// - Throws: The last server's ``NATSClientError`` when none could be reached.
    package func connect() async throws {
        let servers = state.withLock { $0.servers }
        var lastError: (any Error)?
        for (index, server) in servers.enumerated() {
            do {
                let connection = try await open(server)
                let installed = state.withLock { state -> Bool in
                    guard state.closed == nil else { return false }
                    state.serverIndex = index
                    return true
                }
                guard installed else {
                    await connection.close()
                    throw NATSClientError(.closed, message: "the NATS client was closed while connecting")
                }
                try install(connection)
                return
            } catch let error as NATSClientError where error.code == .authorizationFailed || error.code == .closed {
                throw error
            } catch {
                lastError = error
            }
        }
        throw lastError ?? NATSClientError(.invalidArgument, message: "no NATS server to connect to")
    }

    /// The server this client is connected to now, if any.
    package var connectedServer: String? { state.withLock { $0.connection?.address } }

    /// The INFO of the current connection, if any.
    package var serverInfo: NATSServerInfo? { state.withLock { $0.connection?.info } }

    /// Every server the client knows now: the configured ones, then those the cluster announced.
    package var knownServers: [NATSConfiguration.Server] { state.withLock { $0.servers } }

    /// The connection's life: disconnects, reconnects and server errors, until ``close()``.
    package func events() -> AsyncStream<NATSClientEvent> {
        let (stream, continuation) = AsyncStream<NATSClientEvent>.makeStream()
        let id = state.withLock { state -> UInt64? in
            guard state.closed == nil else { return nil }
            state.nextWatcher += 1
            state.watchers[state.nextWatcher] = continuation
            return state.nextWatcher
        }
        if let id {
            continuation.onTermination = { [weak self] _ in _ = self?.state.withLock { $0.watchers.removeValue(forKey: id) } }
        } else {
            continuation.finish()
        }
        return stream
    }

    // MARK: Publishing and subscribing

    /// Publishes a message (PUB, or HPUB with headers); returns once it is queued on a connection.
    /// - Parameter timeout: How long to wait for a connection while reconnecting.
    /// - Throws: `invalidArgument` (bad subject, payload over the server's maximum), `timeout`, `closed`.
    package func publish(
        _ subject: String, replyTo: String? = nil, headers: NATSHeaders? = nil, payload: some Collection<UInt8> & Sendable,
        timeout: Duration = .seconds(10)
    ) async throws {
        try validate(subject)
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            let connection = try await currentConnection(until: deadline)
            try checkPayload(headers: headers, payload: payload.count, on: connection)
            do throws(NATSClientError) {
                let queued = try connection.writeIfRoom {
                    NATSClientCommand.publish(subject: subject, replyTo: replyTo, headers: headers, payload: payload, into: &$0)
                }
                if queued { return }
            } catch {
                // Lost between taking it and writing: wait for the next one.
                guard error.code == .connectionLost || error.code == .staleConnection else { throw error }
                continue
            }
            // More is queued than the socket took: wait until the writer takes it, then try again.
            do {
                try await connection.waitForRoom(until: deadline)
            } catch let error as NATSClientError where error.code == .connectionLost || error.code == .staleConnection {
                continue
            }
        }
    }

    /// Publishes on the current connection if there is one, without waiting; for acks and
    /// progress notes, which are worthless on a later connection.
    /// - Returns: Whether it was queued.
    @discardableResult
    package func publishNow(_ subject: String, replyTo: String? = nil, payload: some Collection<UInt8>) -> Bool {
        writeNow { NATSClientCommand.publish(subject: subject, replyTo: replyTo, headers: nil, payload: payload, into: &$0) }
    }

    /// Publishes messages without headers on the current connection, if there is one, in one
    /// write: the acks of many deliveries take the connection's lock and wake its writer once.
    /// - Returns: Whether they were queued (all of them, or none).
    @discardableResult
    package func publishNow(_ messages: [(subject: String, payload: [UInt8])]) -> Bool {
        writeNow { buffer in
            for message in messages {
                NATSClientCommand.publish(subject: message.subject, replyTo: nil, headers: nil, payload: message.payload, into: &buffer)
            }
        }
    }

    /// Queues what `encode` writes on the current connection, if there is one and it takes it.
    private func writeNow(_ encode: (inout [UInt8]) -> Void) -> Bool {
        guard let connection = state.withLock({ $0.connection }) else { return false }
        do {
            return try connection.writeIfRoom(encode)
        } catch {
            return false
        }
    }

    /// Whether a connection is up now (it may still be lost before the next write).
    package var isConnected: Bool { state.withLock { $0.connection != nil } }

    /// Subscribes; `handler` receives each message on the reader thread. The subscription is made
    /// again after every reconnect, until ``unsubscribe(_:)``.
    /// - Returns: The subscription's SID.
    @discardableResult
    package func subscribe(_ subject: String, queueGroup: String? = nil, handler: @escaping Handler) throws -> UInt64 {
        do throws(NATSProtocolError) {
            try NATSSubject.validate(subject, wildcards: true)
            if let queueGroup { try NATSSubject.validateQueueGroup(queueGroup) }
        } catch {
            throw NATSClientError(.invalidArgument, message: "cannot subscribe to '\(subject)': \(error.message)")
        }
        let (sid, connection) = try state.withLock { state throws(NATSClientError) -> (UInt64, NATSConnection?) in
            if let closed = state.closed { throw closed }
            let sid = state.nextSID
            state.nextSID += 1
            state.subscriptions[sid] = Subscription(subject: subject, queueGroup: queueGroup, handler: handler)
            return (sid, state.connection)
        }
        handlers.withLock { $0[sid] = handler }
        // Written now if connected; otherwise the reconnect writes it with the others.
        try? connection?.write { NATSClientCommand.subscribe(subject: subject, queueGroup: queueGroup, sid: sid, into: &$0) }
        return sid
    }

    /// Subscribes and returns the messages as a stream, which ends at ``close()`` or when the
    /// consumer stops iterating (then the subscription is removed).
    package func messages(_ subject: String, queueGroup: String? = nil) throws -> (sid: UInt64, messages: AsyncStream<NATSMessage>) {
        let (stream, continuation) = AsyncStream<NATSMessage>.makeStream()
        let sid = try subscribe(subject, queueGroup: queueGroup) { continuation.yield($0) }
        state.withLock { state in
            if state.subscriptions[sid] != nil { state.subscriptionEnds[sid] = continuation }
        }
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(sid) }
        return (sid, stream)
    }

    /// Removes a subscription (UNSUB).
    package func unsubscribe(_ sid: UInt64) {
        let (connection, end) = state.withLock { state -> (NATSConnection?, AsyncStream<NATSMessage>.Continuation?) in
            guard state.subscriptions.removeValue(forKey: sid) != nil else { return (nil, nil) }
            handlers.withLock { _ = $0.removeValue(forKey: sid) }
            return (state.connection, state.subscriptionEnds.removeValue(forKey: sid))
        }
        try? connection?.write { NATSClientCommand.unsubscribe(sid: sid, max: nil, into: &$0) }
        end?.finish()
    }

    /// Sends a request and waits for the first reply.
    /// - Throws: `noResponders` (status 503), `timeout`, `connectionLost` (the connection went
    ///   away before the reply), `closed`, `invalidArgument`.
    /// - Parameter checked: The caller validated `subject` already (a broker's fixed subject).
    package func request(
        _ subject: String, headers: NATSHeaders? = nil, payload: some Collection<UInt8> & Sendable,
        timeout: Duration = .seconds(5), checked: Bool = false
    ) async throws -> NATSMessage {
        if !checked { try validate(subject) }
        let deadline = ContinuousClock.now.advanced(by: timeout)
        // One lock for the common case: the inbox is subscribed and a connection is up.
        let ready = try state.withLock { state throws(NATSClientError) -> (NATSConnection, UInt64)? in
            if let closed = state.closed { throw closed }
            guard state.inboxSID != nil, let connection = state.connection else { return nil }
            state.nextToken += 1
            return (connection, state.nextToken)
        }
        let connection: NATSConnection
        let token: UInt64
        if let ready {
            (connection, token) = ready
        } else {
            try ensureInbox()
            connection = try await currentConnection(until: deadline)
            token = state.withLock { state -> UInt64 in
                state.nextToken += 1
                return state.nextToken
            }
        }
        try checkPayload(headers: headers, payload: payload.count, on: connection)
        let reply = "\(inboxPrefix).\(token)"
        let message = try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<NATSMessage, any Error>) in
                let failure = state.withLock { state -> (any Error)? in
                    if let closed = state.closed { return closed }
                    if Task.isCancelled { return CancellationError() }
                    state.requests[token] = PendingRequest(continuation: continuation, deadline: deadline, subject: subject)
                    return nil
                }
                if let failure {
                    continuation.resume(throwing: failure)
                    return
                }
                do {
                    try connection.write {
                        NATSClientCommand.publish(subject: subject, replyTo: reply, headers: headers, payload: payload, into: &$0)
                    }
                } catch {
                    state.withLock { $0.requests.removeValue(forKey: token) }?.continuation.resume(throwing: error)
                }
            }
        } onCancel: {
            state.withLock { $0.requests.removeValue(forKey: token) }?.continuation.resume(throwing: CancellationError())
        }
        if message.headers?.status == 503 {
            throw NATSClientError(.noResponders, message: "nobody answers requests on '\(subject)' (status 503)", status: 503)
        }
        return message
    }

    /// Waits until the server processed everything this client sent so far (PING/PONG).
    package func flush(timeout: Duration = .seconds(5)) async throws {
        let connection = try await currentConnection(until: .now.advanced(by: timeout))
        try await connection.roundTrip(timeout: timeout)
    }

    /// Flushes what was sent, then closes the connection; subscriptions' streams end and
    /// everything waiting fails with `closed`. Later calls fail with `closed`.
    package func close() async {
        let error = NATSClientError(.closed, message: "the NATS client was closed")
        let taken = state.withLock {
            state -> (
                NATSConnection?, [UnsafeContinuation<NATSConnection, any Error>], [PendingRequest],
                [AsyncStream<NATSMessage>.Continuation], [AsyncStream<NATSClientEvent>.Continuation]
            )? in
            guard state.closed == nil else { return nil }
            state.closed = error
            defer {
                state.connection = nil
                state.connectionWaiters.removeAll()
                state.requests.removeAll()
                state.subscriptions.removeAll()
                handlers.withLock { $0.removeAll() }
                state.subscriptionEnds.removeAll()
                state.watchers.removeAll()
            }
            return (
                state.connection, Array(state.connectionWaiters.values), Array(state.requests.values),
                Array(state.subscriptionEnds.values), Array(state.watchers.values)
            )
        }
        guard let (connection, waiters, requests, ends, watchers) = taken else { return }
        for waiter in waiters { waiter.resume(throwing: error) }
        for request in requests { request.continuation.resume(throwing: error) }
        await connection?.close()
        for end in ends { end.finish() }
        for watcher in watchers { watcher.finish() }
    }

    // MARK: Plumbing

    private func validate(_ subject: String) throws(NATSClientError) {
        do throws(NATSProtocolError) {
            try NATSSubject.validate(subject, wildcards: false)
        } catch {
            throw NATSClientError(.invalidArgument, message: "cannot publish to '\(subject)': \(error.message)")
        }
    }

    private func checkPayload(headers: NATSHeaders?, payload: Int, on connection: NATSConnection) throws(NATSClientError) {
        let size = payload + (headers?.encodedCount ?? 0)
        let limit = connection.info.maxPayload
        if limit > 0, size > limit {
            throw NATSClientError(
                .invalidArgument, message: "a message of \(size) bytes is over the server's max_payload of \(limit) bytes")
        }
    }

    /// Subscribes the request inbox once.
    private func ensureInbox() throws {
        let needed = state.withLock { $0.inboxSID == nil }
        guard needed else { return }
        let sid = try subscribe("\(inboxPrefix).*") { [weak self] message in self?.answer(message) }
        let duplicate = state.withLock { state -> Bool in
            if state.inboxSID != nil { return true }
            state.inboxSID = sid
            return false
        }
        if duplicate { unsubscribe(sid) }
    }

    /// Resumes the request a reply on the inbox belongs to.
    private func answer(_ message: NATSMessage) {
        var subject = message.subject
        // Over the contiguous bytes: iterating `utf8.reversed()` cost ~1% of a kicker's CPU.
        let token = subject.withUTF8 { bytes -> UInt64? in
            var token: UInt64 = 0
            var multiplier: UInt64 = 1
            var digits = 0
            var index = bytes.count
            while index > 0 {
                index -= 1
                let byte = bytes[index]
                guard byte != UInt8(ascii: ".") else { break }
                guard (0x30...0x39).contains(byte), digits < 19 else { return nil }
                token += UInt64(byte - 0x30) * multiplier
                multiplier &*= 10
                digits += 1
            }
            return digits > 0 ? token : nil
        }
        guard let token else { return }
        state.withLock { $0.requests.removeValue(forKey: token) }?.continuation.resume(returning: message)
    }

    /// Fails requests past their deadline; called from the reader thread's ticks.
    private func expire(_ now: ContinuousClock.Instant) {
        let expired = state.withLock { state -> [PendingRequest] in
            guard state.requests.values.contains(where: { $0.deadline <= now }) else { return [] }
            let gone = state.requests.filter { $0.value.deadline <= now }
            for key in gone.keys { state.requests.removeValue(forKey: key) }
            return Array(gone.values)
        }
        for request in expired {
            request.continuation.resume(
                throwing: NATSClientError(.timeout, message: "no reply to a request on '\(request.subject)' in time"))
        }
    }

    /// The open connection, waiting for a reconnect up to `deadline`.
    func currentConnection(until deadline: ContinuousClock.Instant) async throws -> NATSConnection {
        if let connection = try state.withLock({ state throws(NATSClientError) -> NATSConnection? in
            if let closed = state.closed { throw closed }
            if state.connection == nil, !state.everConnected {
                throw NATSClientError(
                    .notConnected,
                    message: "the NATS client for \(configuration.redactedURL) is not connected; call startup() (or connect()) first")
            }
            return state.connection
        }) {
            return connection
        }
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        let timer = Task { [weak self] in
            try? await Task.sleep(until: deadline, clock: .continuous)
            guard let self else { return }
            let (waiter, last) = self.state.withLock { ($0.connectionWaiters.removeValue(forKey: id), $0.lastError) }
            let why = last.map { ": \($0.message)" } ?? ""
            waiter?.resume(
                throwing: NATSClientError(
                    .timeout, message: "no connection to NATS (\(self.configuration.redactedURL)) came back in time\(why)"))
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<NATSConnection, any Error>) in
                let ready = state.withLock { state -> Result<NATSConnection, any Error>? in
                    if let closed = state.closed { return .failure(closed) }
                    if let connection = state.connection { return .success(connection) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.connectionWaiters[id] = continuation
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            state.withLock { $0.connectionWaiters.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
    }

    /// Opens a connection whose events come to this client.
    private func open(_ server: NATSConfiguration.Server) async throws -> NATSConnection {
        let generation = Mutex<NATSConnection?>(nil)
        let connection = try await NATSConnection.connect(
            to: server, configuration: configuration, logger: logger,
            handler: { [weak self] event in
                self?.handle(event, from: generation.withLock { $0 })
            }, tick: { [weak self] now in self?.expire(now) })
        generation.withLock { $0 = connection }
        if let failure = connection.failure {
            // It ended before its events could name it.
            throw failure
        }
        return connection
    }

    /// Makes `connection` the current one: every subscription again, then the waiters go on.
    private func install(_ connection: NATSConnection) throws {
        let waiters = try state.withLock { state throws(NATSClientError) in
            if let closed = state.closed { throw closed }
            try connection.write { buffer in
                for (sid, subscription) in state.subscriptions.sorted(by: { $0.key < $1.key }) {
                    NATSClientCommand.subscribe(subject: subscription.subject, queueGroup: subscription.queueGroup, sid: sid, into: &buffer)
                }
            }
            state.connection = connection
            state.everConnected = true
            state.lastError = nil
            learn(connection.info, state: &state)
            defer { state.connectionWaiters.removeAll() }
            return Array(state.connectionWaiters.values)
        }
        for waiter in waiters { waiter.resume(returning: connection) }
    }

    /// Adds the servers a cluster announces.
    private func learn(_ info: NATSServerInfo, state: inout State) {
        for url in info.connectURLs {
            guard let server = NATSConfiguration.announced(url), !state.servers.contains(server) else { continue }
            state.servers.append(server)
        }
    }

    private func handle(_ event: NATSConnectionEvent, from connection: NATSConnection?) {
        switch event {
        case .message(let message):
            let handler = handlers.withLock { $0[message.sid] }
            handler?(message)
        case .info(let info):
            state.withLock { learn(info, state: &$0) }
            if info.lameDuckMode { logger.info("NATS server \(connection?.address ?? "?") is entering lame duck mode") }
        case .serverError(let text):
            logger.warning("NATS server error: \(text)", metadata: ["nats": connection?.address ?? "?"])
            broadcast(.serverError(text))
        case .closed(let error):
            lost(connection, error: error)
        }
    }

    private func broadcast(_ event: NATSClientEvent) {
        for watcher in state.withLock({ Array($0.watchers.values) }) { watcher.yield(event) }
    }

    /// The current connection ended: fail its requests and start reconnecting.
    private func lost(_ connection: NATSConnection?, error: NATSClientError) {
        let requests = state.withLock { state -> [PendingRequest]? in
            guard state.closed == nil, let connection, state.connection === connection else { return nil }
            state.connection = nil
            state.lastError = error
            defer { state.requests.removeAll() }
            return Array(state.requests.values)
        }
        guard let requests else { return }
        logger.warning("lost the NATS connection to \(connection?.address ?? "?"): \(error.message); reconnecting")
        let lostError = NATSClientError(
            .connectionLost, message: "the connection to \(connection?.address ?? "NATS") was lost before the reply came: \(error.message)")
        for request in requests { request.continuation.resume(throwing: lostError) }
        broadcast(.disconnected(error))
        Task { await self.reconnect() }
    }

    /// Tries the servers in turn, with the backoff, until one answers or the client is closed.
    private func reconnect() async {
        var attempt = 0
        while true {
            let (server, closed) = state.withLock { state -> (NATSConfiguration.Server, Bool) in
                state.serverIndex = (state.serverIndex + 1) % max(1, state.servers.count)
                return (state.servers[state.serverIndex], state.closed != nil)
            }
            if closed { return }
            // The first try of each round goes at once: another server may well be up.
            let round = attempt / max(1, state.withLock { $0.servers.count })
            if attempt > 0, attempt % max(1, state.withLock { $0.servers.count }) == 0 {
                try? await Task.sleep(for: configuration.reconnectBackoff.delay(attempt: round))
            }
            attempt += 1
            do {
                let connection = try await open(server)
                do {
                    try install(connection)
                } catch let error as NATSClientError where error.code != .closed {
                    // It ended before it was installed: go on with the next server.
                    state.withLock { $0.lastError = error }
                    continue
                } catch {
                    await connection.close()
                    return
                }
                logger.info("reconnected to NATS at \(server)")
                TaskiqMetrics.reconnected("nats")
                broadcast(.reconnected(server: server.description))
                return
            } catch let error as NATSClientError {
                state.withLock { $0.lastError = error }
                if attempt == 1 || attempt % 20 == 0 {
                    logger.warning("cannot reconnect to NATS at \(server): \(error.message)")
                }
            } catch {
                continue
            }
        }
    }
}
