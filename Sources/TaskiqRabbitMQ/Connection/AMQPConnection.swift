import Synchronization
import Taskiq

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A client connection to an AMQP 0-9-1 server (RabbitMQ): the socket half around an
/// ``AMQPConnectionMachine``.
///
/// One reader thread blocks on the ``ByteStream`` (plain TCP or TLS), feeds the
/// machine, and dispatches its events under one lock: RPC replies to the channel's waiting
/// caller (one at a time per channel, in order), publisher confirms to the publishes waiting
/// for them, deliveries to consumer streams. Writers queue frames in the machine under the lock;
/// whoever finds no flush running starts one, so concurrent publishes coalesce into few `send`
/// calls while keeping the order their delivery tags were assigned in.
package final class AMQPConnection: Sendable {
    typealias RPCContinuation = UnsafeContinuation<AMQPMethod, any Error>
    typealias ConfirmContinuation = UnsafeContinuation<Void, any Error>

    struct ChannelState: Sendable {
        /// The requests waiting for a reply, in the order their methods were sent.
        var rpc: [UInt64] = []
        /// Who waits for each request; a cancelled caller's entry is gone and its reply dropped.
        var rpcWaiters: [UInt64: RPCContinuation] = [:]
        /// Delivery tags of unconfirmed publishes, each naming its request.
        var confirms: AMQPPublishConfirms<UInt64>?
        var confirmWaiters: [UInt64: ConfirmContinuation] = [:]
        var consumers: [String: AsyncThrowingStream<AMQPDelivery, any Error>.Continuation] = [:]
        var failure: AMQPConnectionError?
    }

    struct State {
        var machine: AMQPConnectionMachine
        var channels: [UInt16: ChannelState] = [:]
        var failure: AMQPConnectionError?
        var opened: OnceContinuation<AMQPTuning>?
        var blocked: String?
        var flushing = false
        /// The reader holds one use of the socket, an active flusher another.
        var socketUsers = 1
        var handshakeDeadline: ContinuousClock.Instant?
        /// Streams of ``watch()``: blocked, unblocked and the final closed event.
        var watchers: [AsyncStream<AMQPConnectionEvent>.Continuation] = []
        /// A ``close(timeout:)`` is under way; later callers wait for it to end.
        var closing = false
    }

    let stream: any ByteStream
    let state: Mutex<State>
    /// Names each waiting call, so that a cancelled caller can find its own entry.
    let nextRequest = Atomic<UInt64>(0)
    let logger: Logger
    /// Writes the socket, so that a server that stops reading (a memory or disk alarm) blocks it
    /// rather than a task.
    let writer = WriterThread()
    /// `host:port`, for errors and logs.
    package let address: String

    private init(stream: any ByteStream, options: AMQPConnectionOptions, address: String, logger: Logger) {
        self.stream = stream
        self.address = address
        self.logger = logger
        self.state = Mutex(State(machine: AMQPConnectionMachine(options: options)))
    }

    /// Connects over TCP (and TLS when `tls` is set), logs in and opens the virtual host.
    /// - Parameters:
    ///   - tls: How to secure the connection; `nil` speaks plain TCP.
    ///   - timeout: Bounds the TCP connect, the TLS handshake and the AMQP handshake, each.
    ///   - logger: Also receives the warning that TLS verification is off.
    /// - Throws: ``AMQPConnectionError``: `accessRefused` (403) for wrong credentials,
    ///   `connectionClosedByServer` with the reply code, `tlsFailed` (the ``TLSError`` as
    ///   ``AMQPConnectionError/underlying``), `timeout`, `connectionLost`.
    package static func connect(
        host: String, port: UInt16, options: AMQPConnectionOptions = AMQPConnectionOptions(),
        tls: TLSConfiguration? = nil, timeout: Duration = .seconds(10),
        logger: Logger = Logger(label: "taskiq.rabbitmq")
    ) async throws -> AMQPConnection {
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        do {
            return try await open(options: options, address: address, timeout: timeout, logger: logger) {
                try stream(host: host, port: port, address: address, tls: tls, timeout: timeout, logger: logger)
            }
        } catch var error as AMQPConnectionError where tls == nil && error.code == .protocolViolation {
            // A TLS server answers the AMQP header with a TLS record (type 21, an alert), which is no AMQP frame.
            error.message += " (is the server speaking TLS on this port? then use amqps://)"
            throw error
        }
    }

    /// A connected socket, secured with `tls` when set.
    private static func stream(
        host: String, port: UInt16, address: String, tls: TLSConfiguration?, timeout: Duration,
        logger: Logger
    ) throws -> any ByteStream {
        let tcp = try TCPConnection.connect(host: host, port: port, timeout: timeout, keepAlive: true)
        guard let tls else { return tcp }
        do throws(TLSError) {
            return try TLSConnection.connect(
                over: tcp, host: host, peer: address, configuration: tls, timeout: timeout,
                logger: logger)
        } catch {
            let code: AMQPConnectionError.Code =
                switch error.code {
                case .timeout: .timeout
                case .cancelled: .closedLocally
                default: .tlsFailed
                }
            throw AMQPConnectionError(code, message: error.description, underlying: error)
        }
    }

    /// Runs the handshake over a stream that `connect` opens on the reader thread.
    package static func open(
        options: AMQPConnectionOptions, address: String, timeout: Duration, logger: Logger,
        connect: @escaping @Sendable () throws -> any ByteStream
    ) async throws -> AMQPConnection {
        let created = OnceContinuation<AMQPConnection>()
        let opened = OnceContinuation<AMQPTuning>()
        let reader: @Sendable () -> Void = {
            let stream: any ByteStream
            do {
                stream = try connect()
            } catch let error as TCPError {
                created.resume(
                    with: .failure(
                        AMQPConnectionError(
                            error.kind == .deadlineExceeded ? .timeout : .connectionLost,
                            message: "cannot connect to \(address): \(error.reason)")))
                return
            } catch {
                created.resume(with: .failure(error))
                return
            }
            let connection = AMQPConnection(stream: stream, options: options, address: address, logger: logger)
            do {
                try connection.writer.start(name: "taskiq-amqp-writer") { connection.flushLoop() }
            } catch {
                stream.close()
                created.resume(
                    with: .failure(AMQPConnectionError(.connectionLost, message: "cannot start the writer thread for \(address): \(error)"))
                )
                return
            }
            connection.state.withLock { state in
                state.opened = opened
                state.handshakeDeadline = ContinuousClock.now.advanced(by: timeout)
                state.machine.start(now: .now)
            }
            created.resume(with: .success(connection))
            connection.flush()
            connection.readLoop()
        }
        do {
            try PlatformThread.start(name: "taskiq-amqp-reader", reader)
        } catch {
            throw AMQPConnectionError(.connectionLost, message: "cannot start the reader thread for \(address): \(error)")
        }
        let connection = try await created.value
        do {
            _ = try await opened.value
        } catch var error as AMQPConnectionError {
            connection.fail(error)
            // The machine knows no address; a failed opening names the server.
            if !error.message.contains(address) { error.message = "cannot open the connection to \(address): \(error.message)" }
            throw error
        } catch {
            connection.fail(AMQPConnectionError(.connectionLost, message: "\(error)"))
            throw error
        }
        return connection
    }

    /// The error that ended the connection, or `nil` while it is open.
    package var failure: AMQPConnectionError? { state.withLock { $0.failure } }

    /// The limits agreed with the server.
    package var tuning: AMQPTuning? { state.withLock { $0.machine.tuning } }

    /// The server's reason while it blocks publishes (Connection.Blocked), else `nil`.
    package var blockedReason: String? { state.withLock { $0.blocked } }

    /// The connection's life as it happens: `.blocked` and `.unblocked` while it is open, then
    /// one `.closed` with the error that ended it (`closedLocally` after ``close(timeout:)``),
    /// after which the stream finishes. A connection that already ended yields only `.closed`.
    package func watch() -> AsyncStream<AMQPConnectionEvent> {
        let (stream, continuation) = AsyncStream<AMQPConnectionEvent>.makeStream()
        let ended = state.withLock { state -> AMQPConnectionError? in
            if let failure = state.failure { return failure }
            state.watchers.append(continuation)
            return nil
        }
        if let ended {
            continuation.yield(.closed(ended))
            continuation.finish()
        }
        return stream
    }

    /// Opens a channel on the lowest free number.
    package func openChannel() async throws -> AMQPChannel {
        let id = try state.withLock { state throws(AMQPConnectionError) -> UInt16 in
            if let failure = state.failure { throw failure }
            let limit = max(1, state.machine.tuning?.channelMax ?? 2047)
            guard let free = (1...limit).first(where: { state.channels[$0] == nil }) else {
                throw AMQPConnectionError(.invalidArgument, message: "all \(limit) channels are in use")
            }
            state.channels[free] = ChannelState()
            return free
        }
        let channel = AMQPChannel(connection: self, id: id)
        do {
            _ = try await call(id, .channelOpen(reserved: ""))
        } catch {
            state.withLock { _ = $0.channels.removeValue(forKey: id) }
            throw error
        }
        return channel
    }

    /// Closes the connection cleanly (Connection.Close, waits for CloseOk up to `timeout`), then
    /// the socket. Everything still waiting fails with `closedLocally`.
    package func close(timeout: Duration = .seconds(5)) async {
        let wait = OnceContinuation<AMQPTuning>()
        let started = state.withLock { state -> Bool? in
            guard state.failure == nil else { return nil }
            if state.closing { return false }
            state.closing = true
            state.machine.close()
            state.opened = wait
            state.handshakeDeadline = ContinuousClock.now.advanced(by: timeout)
            return true
        }
        guard let started else { return }
        guard started else {
            // Another caller is closing: wait for the end it brings.
            for await _ in watch() {}
            return
        }
        flush()
        _ = try? await wait.value
        fail(AMQPConnectionError(.closedLocally, message: "the connection was closed"))
    }

    // MARK: Plumbing for channels

    /// Sends `method` on `channel` and waits for the server's reply on that channel.
    ///
    /// A cancelled caller returns at once with `CancellationError`; the reply, which still
    /// comes, is dropped, so the channel's later replies stay matched to their callers.
    func call(_ channel: UInt16, _ method: AMQPMethod) async throws -> AMQPMethod {
        let request = nextRequest.add(1, ordering: .relaxed).newValue
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: RPCContinuation) in
                let error = state.withLock { state -> (any Error)? in
                    if let failure = state.failure ?? state.channels[channel]?.failure { return failure }
                    // The flag is set before the handler runs: a handler that took the lock first
                    // (and found nothing to abandon) is seen here.
                    if Task.isCancelled { return CancellationError() }
                    do throws(AMQPConnectionError) {
                        try state.machine.send(method, channel: channel)
                    } catch {
                        return error
                    }
                    state.channels[channel, default: ChannelState()].rpc.append(request)
                    state.channels[channel, default: ChannelState()].rpcWaiters[request] = continuation
                    return nil
                }
                if let error { continuation.resume(throwing: error) } else { flush() }
            }
        } onCancel: {
            abandon(channel, request)
        }
    }

    /// Fails a cancelled caller's wait; what the server answers it later is dropped.
    private func abandon(_ channel: UInt16, _ request: UInt64) {
        let (rpc, confirm) = state.withLock { state in
            (
                state.channels[channel]?.rpcWaiters.removeValue(forKey: request),
                state.channels[channel]?.confirmWaiters.removeValue(forKey: request)
            )
        }
        rpc?.resume(throwing: CancellationError())
        confirm?.resume(throwing: CancellationError())
    }

    /// Sends `method` on `channel` without waiting for anything (acks, nowait methods).
    func send(_ channel: UInt16, _ method: AMQPMethod) throws(AMQPConnectionError) {
        try state.withLock { state throws(AMQPConnectionError) in
            if let failure = state.failure ?? state.channels[channel]?.failure { throw failure }
            try state.machine.send(method, channel: channel)
        }
        flush()
    }

    /// Publishes; in confirm mode waits for the server's confirm and throws when it was nacked
    /// or (mandatory) returned. A cancelled caller stops waiting; the message may still be
    /// stored, as with any publish whose confirm was not seen.
    func publish(
        _ channel: UInt16, exchange: String, routingKey: String, mandatory: Bool, properties: AMQPProperties,
        body: [UInt8]
    ) async throws {
        let method = AMQPMethod.basicPublish(exchange: exchange, routingKey: routingKey, mandatory: mandatory, immediate: false)
        var properties = properties
        if mandatory, properties.messageID == nil { properties.messageID = Self.randomMessageID() }
        let request = nextRequest.add(1, ordering: .relaxed).newValue
        try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: ConfirmContinuation) in
                let outcome = state.withLock { state -> Result<Bool, any Error> in
                    if let failure = state.failure ?? state.channels[channel]?.failure { return .failure(failure) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    do throws(AMQPConnectionError) {
                        try state.machine.send(method, channel: channel, properties: properties, body: body)
                    } catch {
                        return .failure(error)
                    }
                    guard state.channels[channel]?.confirms != nil else { return .success(false) }
                    _ = state.channels[channel]?.confirms?.register(request, messageID: properties.messageID)
                    state.channels[channel]?.confirmWaiters[request] = continuation
                    return .success(true)
                }
                switch outcome {
                case .failure(let error): continuation.resume(throwing: error)
                case .success(let waits):
                    flush()
                    if !waits { continuation.resume() }
                }
            }
        } onCancel: {
            abandon(channel, request)
        }
    }

    /// Puts `channel` in confirm mode.
    func confirmSelect(_ channel: UInt16) async throws {
        _ = try await call(channel, .confirmSelect(noWait: false))
        state.withLock { state in
            if state.channels[channel]?.confirms == nil { state.channels[channel]?.confirms = AMQPPublishConfirms() }
        }
    }

    /// Registers a consumer stream before Basic.Consume goes out, so no delivery can precede it.
    func addConsumer(_ channel: UInt16, tag: String) -> AsyncThrowingStream<AMQPDelivery, any Error> {
        let (stream, continuation) = AsyncThrowingStream<AMQPDelivery, any Error>.makeStream()
        state.withLock { $0.channels[channel]?.consumers[tag] = continuation }
        return stream
    }

    /// Ends a consumer stream normally.
    func removeConsumer(_ channel: UInt16, tag: String) {
        state.withLock { $0.channels[channel]?.consumers.removeValue(forKey: tag) }?.finish()
    }

    /// Sends Channel.Close, waits for CloseOk, and frees the channel number.
    func closeChannel(_ channel: UInt16) async {
        _ = try? await call(channel, .channelClose(.normal()))
        let leftovers = state.withLock { state -> ChannelState? in
            state.channels.removeValue(forKey: channel)
        }
        if let leftovers { Self.finish(leftovers, with: AMQPConnectionError(.closedLocally, message: "channel \(channel) was closed")) }
    }

    static func randomMessageID() -> String {
        // 32 hex digits from the process's buffered random words: two `getrandom` calls and
        // four strings per publish were 2.6% of a producer's CPU.
        TaskIDGenerator.uuid4()
    }
}
