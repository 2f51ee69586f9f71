import Foundation
import Synchronization
import Taskiq

/// The I/O half of a ``RedisConnection``: one socket, one reader thread, and the FIFO that
/// matches replies to the commands that are waiting for them.
///
/// It reads and writes through a ``ByteStream`` (a ``TCPConnection`` today), so a TLS stream
/// can take its place without touching the reply matching.
///
/// Writers encode into a shared buffer under the lock; whoever finds no write in progress
/// becomes the flusher and writes (outside the lock) everything queued meanwhile, so
/// concurrent commands coalesce into few `send` calls while keeping FIFO order. The reader
/// thread blocks in `waitReadable`/`receive`, feeds a ``RESPParser``, and resumes waiters. The socket is
/// closed by whichever of the reader and a flusher lets go of it last, so a descriptor
/// number is never reused under a thread still writing to it.
final class RedisConnectionCore: Sendable {
    let configuration: RedisConfiguration
    let pushes: AsyncStream<[RESPValue]>
    private let pushContinuation: AsyncStream<[RESPValue]>.Continuation
    private let stream: any ByteStream
    private let state: Mutex<State>
    private let logger: Logger

    private struct State: Sendable {
        var failure: RedisConnectionError?
        var pending = PendingReplies()
        var encoder = RESPCommandEncoder(capacity: 4096)
        var flushing = false
        /// The reader holds one use of the socket, an active flusher another.
        var socketUsers = 1
        var lastProgress = ContinuousClock.now
        var nextID: UInt64 = 0
    }

    private enum Enqueued {
        case queued(UInt64)
        case flush(UInt64)
        case failed(RedisConnectionError)
        case cancelled
    }

    private enum ReadWait {
        case stop
        case wait(Duration?)
        case expired(String, Duration)
    }

    /// Links one waiting command to its cancellation handler, which may run before, during or
    /// after the command is queued.
    private final class Ticket: Sendable {
        private enum State { case new, registered(UInt64), cancelled }
        private let state = Mutex(State.new)

        /// Queues the command unless the caller was already cancelled.
        func register(_ enqueue: () -> Enqueued) -> Enqueued {
            state.withLock { state -> Enqueued in
                if case .cancelled = state { return .cancelled }
                let outcome = enqueue()
                switch outcome {
                case .queued(let id), .flush(let id): state = .registered(id)
                case .failed, .cancelled: break
                }
                return outcome
            }
        }

        /// Marks the caller cancelled; returns the queued command's ID if there is one.
        func cancel() -> UInt64? {
            state.withLock { state -> UInt64? in
                if case .registered(let id) = state { return id }
                state = .cancelled
                return nil
            }
        }
    }

    init(stream: any ByteStream, configuration: RedisConfiguration, logger: Logger) {
        self.stream = stream
        self.configuration = configuration
        self.logger = logger
        self.state = Mutex(State())
        (pushes, pushContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1024))
    }

    /// Connects on a new thread that then becomes this connection's reader.
    static func open(_ configuration: RedisConfiguration, logger: Logger) async throws -> RedisConnectionCore {
        let result = OnceContinuation<RedisConnectionCore>()
        let cancelled = MutexBox(false)
        let thread = Thread {
            let stream: any ByteStream
            do {
                stream = try configuration.connect { cancelled.value }
            } catch {
                result.resume(with: .failure(error))
                return
            }
            let core = RedisConnectionCore(stream: stream, configuration: configuration, logger: logger)
            result.resume(with: .success(core))
            // The canceller sets the flag before resuming, so a late success is closed here.
            if cancelled.value { core.close("connecting was cancelled") }
            core.readLoop()
        }
        thread.name = "taskiq-redis-reader"
        thread.start()
        return try await withTaskCancellationHandler {
            try await result.value
        } onCancel: {
            cancelled.value = true
            result.resume(with: .failure(CancellationError()))
        }
    }

    var isOpen: Bool { state.withLock { $0.failure == nil } }

    /// The error that ended the connection, or `nil` while it is open.
    var failure: RedisConnectionError? { state.withLock { $0.failure } }

    /// Writes `commands` and waits for one reply each.
    /// - Parameters:
    ///   - name: The first command's name, for errors.
    ///   - timeout: How long replies may take to start arriving; `nil` waits forever.
    ///   - closesOnCancel: Whether cancelling the caller closes the connection (blocking
    ///     commands); otherwise the caller returns and the replies are dropped on arrival.
    func submit(_ commands: [[any RESPArgument]], name: String, timeout: Duration?, closesOnCancel: Bool) async throws -> [RESPValue] {
        let ticket = Ticket()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[RESPValue], any Error>) in
                let outcome = ticket.register { () -> Enqueued in
                    state.withLock { state -> Enqueued in
                        if let failure = state.failure { return .failed(failure) }
                        state.nextID += 1
                        if state.pending.isEmpty { state.lastProgress = .now }
                        for command in commands { state.encoder.encode(command) }
                        state.pending.append(PendingReplies.Entry(
                            id: state.nextID, command: name, expected: commands.count, replies: [],
                            continuation: continuation, timeout: timeout, closesOnCancel: closesOnCancel))
                        if state.flushing { return .queued(state.nextID) }
                        state.flushing = true
                        state.socketUsers += 1
                        return .flush(state.nextID)
                    }
                }
                switch outcome {
                case .queued: break
                case .flush: flush()
                case .failed(let error): continuation.resume(throwing: error)
                case .cancelled: continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            if let id = ticket.cancel() { abandon(id) }
        }
    }

    /// Writes `command` without waiting for a reply: for commands answered only by push
    /// frames (RESP3 `SUBSCRIBE`).
    func submitWithoutReply(_ command: [any RESPArgument]) throws(RedisConnectionError) {
        let shouldFlush = try state.withLock { state throws(RedisConnectionError) -> Bool in
            if let failure = state.failure { throw failure }
            state.encoder.encode(command)
            if state.flushing { return false }
            state.flushing = true
            state.socketUsers += 1
            return true
        }
        if shouldFlush { flush() }
    }

    /// Fails every waiting command and closes the socket.
    func close(_ reason: String = "the connection was closed") {
        fail(configuration.error(.closedLocally, reason))
    }

    private func flush() {
        var chunk: [UInt8] = []
        while true {
            let (more, closeSocket) = state.withLock { state -> (Bool, Bool) in
                if state.failure == nil, !state.encoder.bytes.isEmpty {
                    state.encoder.swapBytes(with: &chunk)
                    return (true, false)
                }
                if state.failure != nil { state.encoder.removeAll() }
                state.flushing = false
                state.socketUsers -= 1
                return (false, state.socketUsers == 0)
            }
            guard more else {
                if closeSocket { stream.close() }
                return
            }
            do {
                try stream.sendAll(chunk)
            } catch {
                fail(configuration.error(.connectionClosed, "writing failed: \(error.reason)"))
            }
        }
    }

    private func abandon(_ id: UInt64) {
        guard let entry = state.withLock({ $0.pending.abandon(id) }) else { return }
        entry.continuation?.resume(throwing: CancellationError())
        if entry.closesOnCancel {
            close("\(entry.command) was cancelled while waiting for its reply, so the connection was closed")
        }
    }

    private func fail(_ error: RedisConnectionError) {
        let waiting = state.withLock { state -> [CheckedContinuation<[RESPValue], any Error>] in
            guard state.failure == nil else { return [] }
            state.failure = error
            // Wakes the reader blocked in poll/recv; close() alone would not.
            if state.socketUsers > 0 { stream.shutdown() }
            return state.pending.removeAll()
        }
        for continuation in waiting { continuation.resume(throwing: error) }
    }

    private func readWait() -> ReadWait {
        state.withLock { state -> ReadWait in
            if state.failure != nil { return .stop }
            guard let head = state.pending.first else { return .wait(.milliseconds(250)) }
            guard let timeout = head.timeout else { return .wait(nil) }
            let waited = state.lastProgress.duration(to: .now)
            if waited >= timeout { return .expired(head.command, timeout) }
            return .wait(timeout - waited)
        }
    }

    private func readLoop() {
        var parser = RESPParser(limits: configuration.limits)
        let capacity = 64 * 1024
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        reading: while true {
            switch readWait() {
            case .stop:
                break reading
            case .expired(let command, let timeout):
                fail(configuration.error(.timeout, "no reply to \(command) within \(timeout); the connection is discarded because a late reply would answer the next command"))
                break reading
            case .wait(let timeout):
                guard stream.waitReadable(timeout: timeout) else { continue reading }
            }
            let count: Int
            do {
                count = try stream.receive(into: buffer)
            } catch where error.kind == .receiveTimedOut {
                continue
            } catch {
                fail(configuration.error(.connectionClosed, "reading failed: \(error.reason)"))
                break
            }
            if count == 0 {
                fail(configuration.error(.connectionClosed, "the server closed the connection"))
                break
            }
            parser.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            do {
                while let event = try parser.next() {
                    switch event {
                    case .reply(let value): deliver(value)
                    case .push(let items): pushContinuation.yield(items)
                    }
                }
            } catch {
                configuration.violations.record()
                logger.error("Disconnecting from Redis: it sent invalid RESP or a reply over a limit (\(error))",
                             metadata: ["redis": configuration.address])
                fail(configuration.error(.protocolViolation, "the server sent invalid RESP (\(error))", underlying: error))
                break
            }
        }
        pushContinuation.finish()
        let closeSocket = state.withLock { state -> Bool in
            state.socketUsers -= 1
            return state.socketUsers == 0
        }
        if closeSocket { stream.close() }
    }

    private func deliver(_ value: RESPValue) {
        let (done, unexpected) = state.withLock { state -> (PendingReplies.Entry?, Bool) in
            state.lastProgress = .now
            if state.pending.isEmpty { return (nil, true) }
            return (state.pending.receive(value), false)
        }
        if unexpected {
            logger.warning("Redis sent a \(value.typeName) reply that no command was waiting for; it is dropped",
                           metadata: ["redis": configuration.address])
        }
        if let done, let continuation = done.continuation {
            continuation.resume(returning: done.replies)
        }
    }
}
