import Synchronization
import Taskiq

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The I/O half of a ``RedisConnection``: one socket, one reader thread, and the FIFO that
/// matches replies to the commands that are waiting for them.
///
/// It reads and writes through a ``ByteStream`` (a ``TCPConnection`` today), so a TLS stream
/// can take its place without touching the reply matching.
///
/// Writers encode into a shared buffer under the lock; whoever finds no write in progress
/// wakes the connection's ``WriterThread``, which writes (outside the lock) everything queued by
/// the time it runs, so concurrent commands coalesce into few `send` calls while keeping FIFO
/// order, and a server that stops reading blocks that thread rather than the caller's. The reader
/// thread blocks in `waitReadable`/`receive`, feeds a ``RESPParser``, and resumes the waiters of
/// everything one read brought in after matching them under one lock. The socket is
/// closed by whichever of the reader and a flusher lets go of it last, so a descriptor
/// number is never reused under a thread still writing to it.
final class RedisConnectionCore: Sendable {
    let configuration: RedisConfiguration
    let pushes: AsyncStream<[RESPValue]>
    private let pushContinuation: AsyncStream<[RESPValue]>.Continuation
    private let stream: any ByteStream
    private let state: Mutex<State>
    private let logger: Logger
    private let writer = WriterThread()
    /// Names each command's FIFO entry, so that a cancelled caller can find its own.
    private let nextID = Atomic<UInt64>(0)

    private struct State: Sendable {
        var failure: RedisConnectionError?
        var pending = PendingReplies()
        var encoder = RESPCommandEncoder(capacity: 4096)
        var flushing = false
        /// The reader holds one use of the socket, an active flusher another.
        var socketUsers = 1
        var lastProgress = ContinuousClock.now
    }

    private enum Enqueued {
        case queued
        case flush
        case failed(RedisConnectionError)
        case cancelled
    }

    private enum ReadWait {
        case stop
        case wait(Duration?)
        case expired(String, Duration)
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
        let reader: @Sendable () -> Void = {
            let stream: any ByteStream
            do {
                stream = try configuration.connect { cancelled.value }
            } catch {
                result.resume(with: .failure(error))
                return
            }
            let core = RedisConnectionCore(stream: stream, configuration: configuration, logger: logger)
            do {
                try core.writer.start(name: "taskiq-redis-writer") { core.flush() }
            } catch {
                stream.close()
                result.resume(with: .failure(configuration.error(.connectionClosed, "cannot start the writer thread: \(error)")))
                return
            }
            result.resume(with: .success(core))
            // The canceller sets the flag before resuming, so a late success is closed here.
            if cancelled.value { core.close("connecting was cancelled") }
            core.readLoop()
        }
        do {
            try PlatformThread.start(name: "taskiq-redis-reader", reader)
        } catch {
            result.resume(with: .failure(error))
        }
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
        try await submit(count: commands.count, name: name, timeout: timeout, closesOnCancel: closesOnCancel) { encoder in
            for command in commands { encoder.encode(command) }
        }
    }

    /// Writes one command and waits for its reply (no array of commands to allocate).
    func submit(_ command: [any RESPArgument], name: String, timeout: Duration?, closesOnCancel: Bool) async throws -> RESPValue {
        try await submit(count: 1, name: name, timeout: timeout, closesOnCancel: closesOnCancel) { $0.encode(command) }[0]
    }

    /// Encodes `count` commands with `encode` into the write buffer and waits for their replies.
    private func submit(
        count: Int, name: String, timeout: Duration?, closesOnCancel: Bool,
        encode: (inout RESPCommandEncoder) -> Void
    ) async throws -> [RESPValue] {
        let id = nextID.add(1, ordering: .relaxed).newValue
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<[RESPValue], any Error>) in
                let outcome = state.withLock { state -> Enqueued in
                    if let failure = state.failure { return .failed(failure) }
                    // The cancellation flag is set before the handler runs: a handler that took
                    // the lock first (and found nothing to abandon) is seen here.
                    if Task.isCancelled { return .cancelled }
                    if state.pending.isEmpty { state.lastProgress = .now }
                    encode(&state.encoder)
                    state.pending.append(
                        PendingReplies.Entry(
                            id: id, command: name, expected: count, replies: [],
                            continuation: continuation, timeout: timeout, closesOnCancel: closesOnCancel))
                    if state.flushing { return .queued }
                    state.flushing = true
                    state.socketUsers += 1
                    return .flush
                }
                switch outcome {
                case .queued: break
                case .flush: writer.wakeAfterRunnableTasks()
                case .failed(let error): continuation.resume(throwing: error)
                case .cancelled: continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            abandon(id)
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
        if shouldFlush { writer.wakeAfterRunnableTasks() }
    }

    /// Fails every waiting command and closes the socket.
    func close(_ reason: String = "the connection was closed") {
        fail(configuration.error(.closedLocally, reason))
    }

    /// Ends the connection as if the server had closed it: waiting commands fail with
    /// `connectionClosed`, which callers treat as a lost connection (retry, reconnect), not as
    /// this process shutting down.
    func drop(_ reason: String) {
        fail(configuration.error(.connectionClosed, reason))
    }

    /// Sends what is queued until nothing is left, on the writer thread; returns at once when
    /// no write was asked for.
    private func flush() {
        var chunk: [UInt8] = []
        while true {
            let (more, closeSocket) = state.withLock { state -> (Bool, Bool) in
                guard state.flushing else { return (false, false) }
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
        let waiting = state.withLock { state -> [UnsafeContinuation<[RESPValue], any Error>] in
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
        // The replies parsed from one read, matched to their callers under one lock.
        var replies: [RESPValue] = []
        reading: while true {
            switch readWait() {
            case .stop:
                break reading
            case .expired(let command, let timeout):
                fail(
                    configuration.error(
                        .timeout,
                        "no reply to \(command) within \(timeout); the connection is discarded because a late reply would answer the next command"
                    ))
                break reading
            case .wait(let timeout):
                guard stream.waitReadable(timeout: timeout) else { continue reading }
            }
            let count: Int
            do {
                count = try stream.receive(into: buffer)
            } catch  where error.kind == .receiveTimedOut {
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
                    case .reply(let value): replies.append(value)
                    case .push(let items):
                        deliver(&replies)
                        pushContinuation.yield(items)
                    }
                }
                deliver(&replies)
            } catch {
                deliver(&replies)
                configuration.violations.record()
                logger.error(
                    "Disconnecting from Redis: it sent invalid RESP or a reply over a limit (\(error))",
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
        // Only after a failure, which no write can start after: a write still under way ends first.
        writer.stop()
    }

    /// Hands `replies` (in arrival order) to the commands waiting for them, then empties it.
    private func deliver(_ replies: inout [RESPValue]) {
        guard !replies.isEmpty else { return }
        var done: [(UnsafeContinuation<[RESPValue], any Error>, [RESPValue])] = []
        let unexpected = state.withLock { state -> [RESPValue] in
            state.lastProgress = .now
            var unexpected: [RESPValue] = []
            for value in replies {
                if state.pending.isEmpty {
                    unexpected.append(value)
                } else if let entry = state.pending.receive(value), let continuation = entry.continuation {
                    done.append((continuation, entry.replies))
                }
            }
            return unexpected
        }
        replies.removeAll(keepingCapacity: true)
        for value in unexpected {
            logger.warning(
                "Redis sent a \(value.typeName) reply that no command was waiting for; it is dropped",
                metadata: ["redis": configuration.address])
        }
        for (continuation, values) in done { continuation.resume(returning: values) }
    }
}
