import Synchronization
import Taskiq

/// Pulls from a JetStream consumer, keeping at most ``batch`` messages requested or unsettled.
///
/// Pull requests (`$JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer>`, `{"batch": n, "expires": ns}`)
/// go out on this consumer's own inbox; deliveries arrive there and go to the handler. Whenever
/// half the window is free again (deliveries settled, a request expired with its unfilled count
/// in `Nats-Pending-Messages`), one request asks for the rest. A reconnect, a 409 status
/// (leadership change, consumer deleted, too many waiting requests) or a request that outlived
/// its expiry unanswered starts the count afresh, so a lost request never stalls the worker.
package final class JetStreamPullConsumer: Sendable {
    /// A message delivered by the consumer.
    package struct Delivery: Sendable {
        /// The message, with its headers.
        package var message: NATSMessage
        /// Where acks go (the message's reply subject).
        package var replySubject: String
        /// What the reply subject says: delivery count, sequences, timestamp.
        package var info: JetStreamAckSubject
    }

    struct State {
        var requested = 0
        var unsettled = 0
        var lastRequest: ContinuousClock.Instant?
        var sid: UInt64?
        var stopped = false
    }

    let client: NATSClient
    let stream: String
    let consumer: String
    /// The most messages requested or unsettled at once.
    package let batch: Int
    /// How long one pull request waits on the server.
    package let expires: Duration
    let inbox: String
    let logger: Logger
    let handler: @Sendable (Delivery) -> Void
    let state = Mutex(State())
    let watchdog = Mutex<Task<Void, Never>?>(nil)

    /// A consumer that delivers to `handler` (on the connection's reader thread) once started.
    package init(
        client: NATSClient, stream: String, consumer: String, batch: Int, expires: Duration, logger: Logger,
        handler: @escaping @Sendable (Delivery) -> Void
    ) {
        self.client = client
        self.stream = stream
        self.consumer = consumer
        self.batch = max(1, batch)
        self.expires = max(.seconds(1), expires)
        self.inbox = client.newInbox()
        self.logger = logger
        self.handler = handler
    }

    /// Subscribes the inbox and sends the first request.
    package func start() throws {
        let sid = try client.subscribe(inbox) { [weak self] message in self?.receive(message) }
        state.withLock { $0.sid = sid }
        let events = client.events()
        let task = Task { [weak self] in
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await event in events {
                        guard let self else { return }
                        if case .reconnected = event { self.restart() }
                    }
                }
                group.addTask {
                    while !Task.isCancelled {
                        guard let interval = self?.expires else { return }
                        try? await Task.sleep(for: interval / 2)
                        self?.checkStalled()
                    }
                }
                await group.next()
                group.cancelAll()
            }
        }
        watchdog.withLock { $0 = task }
        pull()
    }

    /// Stops requesting. NATS 2.9 cannot cancel a pull request: the server may still deliver to
    /// this consumer's requests until they expire (``expires``). The inbox stays subscribed, and
    /// what arrives is given back with ``handBack`` — delayed past that expiry, so the server
    /// cannot hand it straight back to one of this consumer's own requests. ``close()`` ends the
    /// subscription.
    package func stop() {
        state.withLock { $0.stopped = true }
        watchdog.withLock { $0?.cancel() }
    }

    /// Stops, and removes the inbox subscription.
    package func close() {
        stop()
        if let sid = state.withLock({ $0.sid }) { client.unsubscribe(sid) }
    }

    /// The payload that gives a delivery back after this consumer's pull requests expired:
    /// `-NAK {"delay": <expires + 1 s>}`.
    package var handBack: [UInt8] {
        Array("-NAK {\"delay\": \((expires + .seconds(1)).nanoseconds)}".utf8)
    }

    /// `count` deliveries were acked, nacked or terminated: their places in the window are free.
    package func settled(_ count: Int = 1) {
        state.withLock { $0.unsettled = max(0, $0.unsettled - count) }
        pull()
    }

    /// Messages delivered and not settled yet.
    package var unsettled: Int { state.withLock { $0.unsettled } }

    /// Asks for the free part of the window when at least half of it is free (or nothing is requested).
    func pull() {
        let want = state.withLock { state -> Int in
            guard !state.stopped else { return 0 }
            let free = batch - state.requested - state.unsettled
            guard free > 0, free * 2 >= batch || state.requested == 0 else { return 0 }
            state.requested += free
            state.lastRequest = .now
            return free
        }
        guard want > 0 else { return }
        let nanoseconds = expires.nanoseconds
        let body: JSONValue = ["batch": .int(want), "expires": .int(Int(nanoseconds))]
        if !client.publishNow("$JS.API.CONSUMER.MSG.NEXT.\(stream).\(consumer)", replyTo: inbox, payload: body.serialized(style: .compact))
        {
            // Not connected: the reconnect asks again.
            state.withLock { $0.requested = max(0, $0.requested - want) }
        }
    }

    /// Forgets what was requested (the server forgot it too) and asks again.
    func restart() {
        state.withLock { $0.requested = 0 }
        pull()
    }

    /// A request that outlived its expiry by far was lost (a server restarted, a leader moved).
    func checkStalled() {
        let stalled = state.withLock { state -> Bool in
            guard state.requested > 0, let last = state.lastRequest else { return false }
            return ContinuousClock.now - last > expires + .seconds(5)
        }
        if stalled { restart() }
    }

    private func receive(_ message: NATSMessage) {
        if let status = message.headers?.status, message.payload.isEmpty {
            switch status {
            case 100:
                return
            case 404, 408:
                // The server's count of what the request left unfilled, within what was asked.
                let unfilled = min(max(message.headers?["Nats-Pending-Messages"].flatMap { Int($0) } ?? 0, 0), batch)
                state.withLock { state in
                    state.requested = max(0, state.requested - unfilled)
                    if unfilled == 0 { state.requested = 0 }
                }
                pull()
            default:
                let text = message.headers?.statusDescription ?? ""
                logger.warning("JetStream consumer \(stream).\(consumer) answered a pull with \(status) \(text); asking again")
                restart()
            }
            return
        }
        guard let reply = message.replyTo, let info = JetStreamAckSubject(reply) else {
            logger.warning("JetStream consumer \(stream).\(consumer) delivered a message without an ack subject; dropped")
            return
        }
        let keep = state.withLock { state -> Bool in
            guard !state.stopped else { return false }
            state.requested = max(0, state.requested - 1)
            state.unsettled += 1
            state.lastRequest = .now
            return true
        }
        if keep {
            handler(Delivery(message: message, replySubject: reply, info: info))
        } else {
            // Asked for before the stop: give it back for another worker.
            client.publishNow(reply, payload: handBack)
        }
    }
}
