import Synchronization
import Taskiq

/// What a ``NATSConnection`` tells its owner, from its reader thread.
package enum NATSConnectionEvent: Sendable {
    /// A MSG or HMSG arrived.
    case message(NATSMessage)
    /// The server sent a new INFO (cluster URLs changed, lame duck mode).
    case info(NATSServerInfo)
    /// The server sent `-ERR` that does not end the connection (a permissions violation).
    case serverError(String)
    /// The connection ended with this error; nothing follows.
    case closed(NATSClientError)
}

/// One connection to one NATS server: the socket half around a ``NATSParser``.
///
/// `connect` does the handshake on a reader thread of its own (INFO, the TLS upgrade when the
/// URL or the server asks for it, CONNECT, then PING until PONG, so a refused login fails the
/// connect rather than the first publish). Afterwards the reader feeds the parser and hands
/// every operation to the owner's handler, answers PINGs, and sends its own PING every
/// ``NATSConfiguration/pingInterval``: ``NATSConfiguration/maxPingsOut`` unanswered ones end the
/// connection as stale. Writers append protocol bytes under one lock; a writer thread sends them,
/// so concurrent publishes coalesce into few `send` calls and a server that stops reading
/// blocks that thread, never a task. Past ``outboundLimit`` queued bytes a publish is refused and a
/// publisher waits in ``waitForRoom(until:)`` until the writer takes them (back-pressure).
package final class NATSConnection: Sendable {
    struct State {
        var outbound: [UInt8] = []
        var flushing = false
        /// The reader holds one use of the socket, an active flusher another.
        var socketUsers = 1
        var failure: NATSClientError?
        /// One entry per PING sent, in order: a flush waiting for its PONG, or `nil` for a keepalive.
        var pings: [OnceContinuation<Void>?] = []
        /// Publishers waiting for ``outbound`` to drop under the limit.
        var roomWaiters: [OnceContinuation<Void>] = []
        var nextPing: ContinuousClock.Instant
    }

    let stream: any ByteStream
    let state: Mutex<State>
    /// The reader's parser, apart from ``state`` so that writers never wait for a parse.
    let parser: Mutex<NATSParser>
    let handler: @Sendable (NATSConnectionEvent) -> Void
    let tick: @Sendable (ContinuousClock.Instant) -> Void
    let writer = WriterThread()
    let pingInterval: Duration
    let maxPingsOut: Int
    /// The INFO the server sent when the connection opened.
    package let info: NATSServerInfo
    /// `host:port`, for errors and logs.
    package let address: String
    /// Queued outbound bytes beyond which publishes are refused until the writer takes them, so
    /// publishers faster than the socket wait instead of growing memory without end
    /// (``NATSConfiguration/outboundLimit``).
    let outboundLimit: Int

    private init(
        stream: any ByteStream, parser: NATSParser, info: NATSServerInfo, address: String, configuration: NATSConfiguration,
        handler: @escaping @Sendable (NATSConnectionEvent) -> Void, tick: @escaping @Sendable (ContinuousClock.Instant) -> Void
    ) {
        self.stream = stream
        self.info = info
        self.address = address
        self.handler = handler
        self.tick = tick
        self.pingInterval = configuration.pingInterval
        self.maxPingsOut = configuration.maxPingsOut
        self.outboundLimit = configuration.outboundLimit
        self.state = Mutex(State(nextPing: .now.advanced(by: configuration.pingInterval)))
        self.parser = Mutex(parser)
    }

    /// Connects to `server` and logs in.
    /// - Parameters:
    ///   - handler: Called on the reader thread for every event, in order; must not block.
    ///   - tick: Called on the reader thread at least every 250 ms (the client expires requests with it).
    /// - Throws: ``NATSClientError``: `authorizationFailed`, `tlsFailed`, `timeout`, `connectionLost`,
    ///   `protocolViolation`, `serverError`.
    package static func connect(
        to server: NATSConfiguration.Server, configuration: NATSConfiguration, logger: Logger,
        handler: @escaping @Sendable (NATSConnectionEvent) -> Void,
        tick: @escaping @Sendable (ContinuousClock.Instant) -> Void = { _ in }
    ) async throws -> NATSConnection {
        let address = server.description
        let created = OnceContinuation<NATSConnection>()
        let reader: @Sendable () -> Void = {
            let connection: NATSConnection
            do {
                connection = try handshake(
                    server, address: address, configuration: configuration, logger: logger, handler: handler, tick: tick)
            } catch {
                created.resume(with: .failure(error))
                return
            }
            do {
                try connection.writer.start(name: "taskiq-nats-writer") { connection.flushLoop() }
            } catch {
                connection.stream.close()
                created.resume(
                    with: .failure(NATSClientError(.connectionLost, message: "cannot start the writer thread for \(address): \(error)")))
                return
            }
            created.resume(with: .success(connection))
            connection.readLoop()
        }
        do {
            try PlatformThread.start(name: "taskiq-nats-reader", stackSize: 512 << 10, reader)
        } catch {
            throw NATSClientError(.connectionLost, message: "cannot start the reader thread for \(address): \(error)")
        }
        return try await created.value
    }

    /// INFO, TLS, CONNECT, PING/PONG, on the calling (reader) thread.
    private static func handshake(
        _ server: NATSConfiguration.Server, address: String, configuration: NATSConfiguration, logger: Logger,
        handler: @escaping @Sendable (NATSConnectionEvent) -> Void,
        tick: @escaping @Sendable (ContinuousClock.Instant) -> Void
    ) throws(NATSClientError) -> NATSConnection {
        let deadline = ContinuousClock.now.advanced(by: configuration.connectTimeout)
        let tcp: TCPConnection
        do {
            tcp = try TCPConnection.connect(host: server.host, port: server.port, timeout: configuration.connectTimeout, keepAlive: true)
        } catch {
            throw NATSClientError(
                error.kind == .deadlineExceeded || error.kind == .connectTimedOut ? .timeout : .connectionLost,
                message: "cannot connect to \(address): \(error.reason)")
        }
        var stream: any ByteStream = tcp
        var parser = NATSParser()
        do throws(NATSClientError) {
            guard
                case .info(let first) = try readOperation(stream, &parser, deadline: deadline, address: address, during: "waiting for INFO")
            else {
                throw NATSClientError(.protocolViolation, message: "\(address) did not start with INFO; is it a NATS server?")
            }
            var options = configuration.options
            if first.tlsRequired || configuration.tls != nil {
                guard let tls = configuration.tls else {
                    throw NATSClientError(.tlsFailed, message: "\(address) requires TLS; connect with a tls:// URL")
                }
                guard first.tlsRequired || first.tlsAvailable else {
                    throw NATSClientError(.tlsFailed, message: "\(address) does not offer TLS, but the URL is tls://")
                }
                do throws(TLSError) {
                    stream = try TLSConnection.connect(
                        over: tcp, host: server.host, peer: address, configuration: tls,
                        timeout: max(.milliseconds(1), ContinuousClock.now.duration(to: deadline)), logger: logger)
                } catch {
                    throw NATSClientError(error.code == .timeout ? .timeout : .tlsFailed, message: error.description, underlying: error)
                }
                options.tlsRequired = true
            }
            guard first.headers else {
                throw NATSClientError(.protocolViolation, message: "\(address) does not support headers (NATS 2.2 or later is needed)")
            }
            var hello: [UInt8] = []
            NATSClientCommand.connect(options, into: &hello)
            NATSClientCommand.ping(into: &hello)
            do {
                try stream.sendAll(hello)
            } catch {
                throw NATSClientError(.connectionLost, message: "cannot write to \(address): \(error.reason)")
            }
            while true {
                switch try readOperation(stream, &parser, deadline: deadline, address: address, during: "logging in") {
                case .pong:
                    return NATSConnection(
                        stream: stream, parser: parser, info: first, address: address, configuration: configuration,
                        handler: handler, tick: tick)
                case .error(let text):
                    throw serverError(text, address: address)
                case .ping:
                    var pong: [UInt8] = []
                    NATSClientCommand.pong(into: &pong)
                    try? stream.sendAll(pong)
                case .ok, .info, .message:
                    continue
                }
            }
        } catch {
            stream.close()
            throw error
        }
    }

    /// Reads until the parser yields one operation, or the deadline passes.
    private static func readOperation(
        _ stream: any ByteStream, _ parser: inout NATSParser, deadline: ContinuousClock.Instant,
        address: String, during: String
    ) throws(NATSClientError) -> NATSServerOperation {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            do throws(NATSProtocolError) {
                if let operation = try parser.next() { return operation }
            } catch {
                throw NATSClientError(
                    .protocolViolation, message: "\(address) sent something that is not NATS while \(during): \(error.message)")
            }
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero, stream.waitReadable(timeout: left) else {
                throw NATSClientError(.timeout, message: "\(address) did not answer in time while \(during)")
            }
            let count: Int
            do throws(TCPError) {
                count = try stream.receive(into: buffer)
            } catch {
                if error.kind == .receiveTimedOut { continue }
                throw NATSClientError(.connectionLost, message: "reading from \(address) failed while \(during): \(error.reason)")
            }
            guard count > 0 else {
                throw NATSClientError(.connectionLost, message: "\(address) closed the connection while \(during)")
            }
            parser.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }

    /// The error for a `-ERR` the server ends the connection with.
    static func serverError(_ text: String, address: String) -> NATSClientError {
        let lowered = text.lowercased()
        if lowered.contains("authorization") || lowered.contains("authentication") || lowered.contains("user authentication") {
            return NATSClientError(.authorizationFailed, message: "\(address) refused the credentials: '\(text)'")
        }
        if lowered.contains("stale connection") {
            return NATSClientError(.staleConnection, message: "\(address) found this connection stale: '\(text)'")
        }
        return NATSClientError(.serverError, message: "\(address) sent -ERR '\(text)'")
    }

    /// Whether a `-ERR` leaves the connection open (the server goes on after these).
    static func isRecoverable(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return lowered.hasPrefix("permissions violation") || lowered.hasPrefix("invalid subject") || lowered.hasPrefix("invalid queue")
    }

    /// The error that ended the connection, or `nil` while it is open.
    package var failure: NATSClientError? { state.withLock { $0.failure } }

    /// Appends protocol bytes and has the writer send them, however many are queued: for
    /// subscriptions and requests, which are small or bounded by their callers.
    /// - Throws: The connection's error once it ended.
    package func write(_ encode: (inout [UInt8]) -> Void) throws(NATSClientError) {
        _ = try append(bounded: false, encode)
    }

    /// Appends protocol bytes and has the writer send them, unless ``outboundLimit`` bytes are
    /// queued already: for publishes, which nothing else bounds.
    /// - Returns: Whether the bytes were queued; `false` when the queue is full (wait in
    ///   ``waitForRoom(until:)``, or drop what is worthless later).
    /// - Throws: The connection's error once it ended.
    package func writeIfRoom(_ encode: (inout [UInt8]) -> Void) throws(NATSClientError) -> Bool {
        try append(bounded: true, encode)
    }

    private func append(bounded: Bool, _ encode: (inout [UInt8]) -> Void) throws(NATSClientError) -> Bool {
        let queued = try state.withLock { state throws(NATSClientError) -> Bool in
            if let failure = state.failure { throw failure }
            if bounded, state.outbound.count >= outboundLimit { return false }
            encode(&state.outbound)
            return true
        }
        if queued { flush() }
        return queued
    }

    /// Returns once fewer than ``outboundLimit`` bytes are queued: at once when they are, else
    /// when the writer takes the queue for the socket.
    /// - Throws: `timeout` when the writer has not taken them by `deadline` (the server or the
    ///   network is slower than the publishers); `CancellationError` when the task is cancelled;
    ///   the connection's error once it ended.
    package func waitForRoom(until deadline: ContinuousClock.Instant) async throws {
        let room = OnceContinuation<Void>()
        let full = try state.withLock { state throws(NATSClientError) -> Bool in
            if let failure = state.failure { throw failure }
            guard state.outbound.count >= outboundLimit else { return false }
            state.roomWaiters.append(room)
            return true
        }
        guard full else { return }
        let timer = Task { [address, outboundLimit] in
            try await Task.sleep(until: deadline, clock: .continuous)
            room.resume(
                with: .failure(
                    NATSClientError(
                        .timeout,
                        message: "\(address) did not take the \(outboundLimit) bytes queued for it in time: "
                            + "the server or the network is slower than the publishers")))
        }
        defer { timer.cancel() }
        try await withTaskCancellationHandler {
            try await room.value
        } onCancel: {
            room.resume(with: .failure(CancellationError()))
        }
    }

    /// Waits until the server processed everything written before (a PING's PONG).
    /// - Throws: `timeout` when no PONG came within `timeout`; the connection's error once it ended.
    package func roundTrip(timeout: Duration = .seconds(10)) async throws {
        let pong = OnceContinuation<Void>()
        try state.withLock { state throws(NATSClientError) in
            if let failure = state.failure { throw failure }
            NATSClientCommand.ping(into: &state.outbound)
            state.pings.append(pong)
        }
        flush()
        // The entry stays in `pings`, so later PONGs still match their PINGs; a late PONG is ignored.
        let timer = Task { [address] in
            try await Task.sleep(for: timeout)
            pong.resume(with: .failure(NATSClientError(.timeout, message: "\(address) did not answer a PING within \(timeout)")))
        }
        defer { timer.cancel() }
        try await pong.value
    }

    /// Sends what is queued (waiting for the server's PONG up to `timeout`, so a stalled server
    /// cannot hold it), then closes the socket; the handler gets `.closed(closed)`.
    package func close(timeout: Duration = .seconds(2)) async {
        try? await roundTrip(timeout: timeout)
        fail(NATSClientError(.closed, message: "the connection to \(address) was closed"))
    }

    /// Ends the connection with `error` at once: PONG waiters fail, the reader wakes and reports it.
    package func fail(_ error: NATSClientError) {
        let (pings, roomWaiters, first) = state.withLock { state -> ([OnceContinuation<Void>?], [OnceContinuation<Void>], Bool) in
            guard state.failure == nil else { return ([], [], false) }
            state.failure = error
            if state.socketUsers > 0 { stream.shutdown() }
            var pings: [OnceContinuation<Void>?] = []
            var roomWaiters: [OnceContinuation<Void>] = []
            swap(&pings, &state.pings)
            swap(&roomWaiters, &state.roomWaiters)
            return (pings, roomWaiters, true)
        }
        guard first else { return }
        for ping in pings { ping?.resume(with: .failure(error)) }
        for waiter in roomWaiters { waiter.resume(with: .failure(error)) }
        handler(.closed(error))
    }

    /// Has the writer thread send what is queued, unless a write is under way.
    func flush() {
        let start = state.withLock { state -> Bool in
            guard !state.flushing, !state.outbound.isEmpty, state.socketUsers > 0, state.failure == nil else { return false }
            state.flushing = true
            state.socketUsers += 1
            return true
        }
        if start { writer.wakeAfterRunnableTasks() }
    }

    /// Sends until nothing is queued, on the writer thread.
    func flushLoop() {
        while true {
            let (chunk, closeSocket, roomWaiters) = state.withLock { state -> ([UInt8], Bool, [OnceContinuation<Void>]) in
                guard state.flushing else { return ([], false, []) }
                if !state.outbound.isEmpty, state.failure == nil {
                    var taken: [UInt8] = []
                    swap(&taken, &state.outbound)
                    state.outbound.reserveCapacity(min(taken.capacity, 1 << 20))
                    // The queue is empty now: whoever waited for room has it.
                    var roomWaiters: [OnceContinuation<Void>] = []
                    swap(&roomWaiters, &state.roomWaiters)
                    return (taken, false, roomWaiters)
                }
                state.flushing = false
                state.socketUsers -= 1
                return ([], state.socketUsers == 0, [])
            }
            for waiter in roomWaiters { waiter.resume(with: .success(())) }
            guard !chunk.isEmpty else {
                if closeSocket { stream.close() }
                return
            }
            do {
                try stream.sendAll(chunk)
            } catch {
                fail(NATSClientError(.connectionLost, message: "writing to \(address) failed: \(error.reason)"))
            }
        }
    }

    private func readLoop() {
        let capacity = 64 * 1024
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        // Kept from one read to the next: a read of 64 KiB can hold hundreds of messages, and a
        // new array grew (and moved them) a dozen times.
        var events: [NATSConnectionEvent] = []
        reading: while true {
            let wait = state.withLock { state -> Duration? in
                guard state.failure == nil else { return nil }
                let now = ContinuousClock.now
                return max(.zero, min(.milliseconds(250), now.duration(to: state.nextPing)))
            }
            guard let wait else { break }
            if stream.waitReadable(timeout: wait) {
                let count: Int
                do {
                    count = try stream.receive(into: buffer)
                } catch  where error.kind == .receiveTimedOut {
                    continue
                } catch {
                    fail(NATSClientError(.connectionLost, message: "reading from \(address) failed: \(error.reason)"))
                    break
                }
                if count == 0 {
                    fail(NATSClientError(.connectionLost, message: "\(address) closed the connection"))
                    break
                }
                if !receive(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), events: &events) { break reading }
            }
            let now = ContinuousClock.now
            tick(now)
            let stale = state.withLock { state -> Bool in
                guard state.failure == nil, now >= state.nextPing else { return false }
                state.nextPing = now.advanced(by: pingInterval)
                if state.pings.count >= maxPingsOut { return true }
                NATSClientCommand.ping(into: &state.outbound)
                state.pings.append(nil)
                return false
            }
            if stale {
                fail(NATSClientError(.staleConnection, message: "\(address) did not answer \(maxPingsOut) PINGs in a row"))
                break
            }
            flush()
        }
        let closeSocket = state.withLock { state -> Bool in
            state.socketUsers -= 1
            return state.socketUsers == 0
        }
        if closeSocket { stream.close() }
        writer.stop()
    }

    /// Parses what arrived and dispatches it, collecting the events in `events` (empty before
    /// and after); returns `false` once the connection ended.
    private func receive(_ bytes: UnsafeRawBufferPointer, events: inout [NATSConnectionEvent]) -> Bool {
        var pingsReceived = 0
        var pongsReceived = 0
        var ended: NATSClientError?
        // Under the parser's own lock, which only this thread takes: parsing a whole read under
        // `state` made every publisher wait for it (the contended lock was ~3% of a JetStream
        // bench's samples, with the futex sleeps and wake-ups that come with it).
        parser.withLock { parser in
            parser.append(bytes)
            while ended == nil {
                let operation: NATSServerOperation?
                do throws(NATSProtocolError) {
                    operation = try parser.next()
                } catch {
                    ended = NATSClientError(.protocolViolation, message: "\(address) sent something that is not NATS: \(error.message)")
                    break
                }
                guard let operation else { break }
                switch operation {
                case .message(let message): events.append(.message(message))
                case .ping: pingsReceived += 1
                case .pong: pongsReceived += 1
                case .ok: break
                case .info(let info): events.append(.info(info))
                case .error(let text):
                    if Self.isRecoverable(text) {
                        events.append(.serverError(text))
                    } else {
                        ended = Self.serverError(text, address: address)
                    }
                }
            }
        }
        var pongs: [OnceContinuation<Void>] = []
        if pingsReceived > 0 || pongsReceived > 0 {
            state.withLock { state in
                for _ in 0..<pingsReceived { NATSClientCommand.pong(into: &state.outbound) }
                for _ in 0..<pongsReceived {
                    if !state.pings.isEmpty, let waiter = state.pings.removeFirst() { pongs.append(waiter) }
                }
            }
        }
        for event in events { handler(event) }
        events.removeAll(keepingCapacity: events.capacity <= 4096)
        for pong in pongs { pong.resume(with: .success(())) }
        if let ended {
            fail(ended)
            return false
        }
        return true
    }
}
