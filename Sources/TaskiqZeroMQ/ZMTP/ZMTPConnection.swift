import Dispatch
import Synchronization
import Taskiq

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One TCP connection of a ``ZMTPSocket``: the descriptor and its writer.
///
/// Senders append encoded frames to a buffer; a writer thread swaps the whole buffer out and
/// writes it with one `send` per batch, so a burst of small messages costs few syscalls. The
/// writer starts with the first bytes to send and ends after ``writerIdleTimeout`` with nothing
/// to write, so an idle connection costs one thread (its reader), not two. The reading side (and
/// the protocol machine) lives in ``ZMTPSocket``'s per-connection thread.
final class ZMTPConnection: Sendable {
    private struct WriterState {
        var buffer: [UInt8] = []
        var queuedMessages = 0
        var inFlightMessages = 0
        var inFlightBytes = 0
        /// Bytes handed to the kernel so far.
        var writtenBytes = 0
        /// How many written bytes the peer's TCP had acknowledged when ``backlog(limit:)`` last asked the kernel.
        var lastAcknowledged = 0
        var idle = false
        var stopping = false
        /// Whether a writer thread exists; it ends when stopping, or when idle too long.
        var running = false
    }

    /// How long a writer thread waits for bytes before it ends.
    static let writerIdleTimeout: DispatchTimeInterval = .seconds(1)

    let id: UInt64
    let tcp: TCPConnection
    /// The peer's address, for logs.
    let peerName: String
    private let writer = Mutex(WriterState())
    private let wake = DispatchSemaphore(value: 0)
    private let writerDone = DispatchSemaphore(value: 0)
    /// Signalled to let a reader that stopped at the receive high-water mark continue.
    let readerResume = DispatchSemaphore(value: 0)
    /// Runs after every written batch.
    private let onDrained: @Sendable (ZMTPConnection) -> Void

    /// - Parameter onDrained: Runs on the writer thread after every written batch.
    init(id: UInt64, tcp: TCPConnection, onDrained: @escaping @Sendable (ZMTPConnection) -> Void) {
        self.id = id
        self.tcp = tcp
        self.peerName = tcp.peerName
        self.onDrained = onDrained
    }

    /// Messages queued or being written, compared against the send high-water mark.
    var pendingMessages: Int {
        writer.withLock { $0.queuedMessages + $0.inFlightMessages }
    }

    /// Whether a writer thread exists now (it ends after ``writerIdleTimeout`` with nothing to write).
    var hasWriterThread: Bool { writer.withLock { $0.running } }

    /// Bytes queued or being written by the writer thread (not yet handed to the kernel).
    var pendingBytes: Int {
        writer.withLock { $0.buffer.count + $0.inFlightBytes }
    }

    /// What is waiting for the peer: bytes not yet written, bytes written that its TCP has not
    /// acknowledged, and whether it acknowledged anything since the kernel was last asked.
    ///
    /// The kernel (an `ioctl`) is asked only when the bytes written since its last answer could
    /// take the total past `limit`; below that, `unacknowledged` is that upper bound. So a peer
    /// that keeps up costs one `ioctl` per `limit` bytes sent to it, not one per message.
    func backlog(limit: Int) -> (queued: Int, unacknowledged: Int, progressed: Bool) {
        let (queued, written, last) = writer.withLock {
            ($0.buffer.count + $0.inFlightBytes, $0.writtenBytes, $0.lastAcknowledged)
        }
        if queued + (written - last) <= limit { return (queued, written - last, false) }
        let unacknowledged = tcp.unacknowledgedBytes()
        let acknowledged = written - unacknowledged
        let progressed = writer.withLock { state in
            defer { state.lastAcknowledged = max(state.lastAcknowledged, acknowledged) }
            return acknowledged > state.lastAcknowledged
        }
        return (queued, unacknowledged, progressed)
    }

    /// Appends bytes carrying `messages` messages (0 for commands); `false` once stopping.
    @discardableResult
    func enqueue(messages: Int = 0, _ write: (inout [UInt8]) -> Void) -> Bool {
        enum Wake { case none, signal, start }
        let wake = writer.withLock { state -> Wake? in
            guard !state.stopping else { return nil }
            write(&state.buffer)
            state.queuedMessages += messages
            if !state.running {
                state.running = true
                return .start
            }
            guard state.idle else { return Wake.none }
            state.idle = false
            return .signal
        }
        switch wake {
        case .signal?: self.wake.signal()
        case .start?: startWriter()
        case .none?, nil: break
        }
        return wake != nil
    }

    /// Appends ready-made bytes.
    @discardableResult
    func enqueue(_ bytes: [UInt8], messages: Int = 0) -> Bool {
        enqueue(messages: messages) { $0.append(contentsOf: bytes) }
    }

    private func startWriter() {
        do {
            try PlatformThread.start(name: "zmtp-writer") { [self] in
                // writerDone is signalled only by a writer that ends for good (stopping), never by
                // one that ends idle, so stopWriterAndWait cannot consume a stale signal.
                if writeLoop() { writerDone.signal() }
            }
        } catch {
            // No writer: the bytes stay queued and the next enqueue tries to start one again.
            writer.withLock { $0.running = false }
        }
    }

    /// Writes until stopped (`true`) or idle for ``writerIdleTimeout`` (`false`, and `running` is cleared).
    private func writeLoop() -> Bool {
        var batch: [UInt8] = []
        while true {
            enum Step { case wait, stop, send }
            let step = writer.withLock { state -> Step in
                if state.buffer.isEmpty {
                    if state.stopping { return .stop }
                    state.idle = true
                    return .wait
                }
                swap(&batch, &state.buffer)
                state.inFlightBytes = batch.count
                state.inFlightMessages = state.queuedMessages
                state.queuedMessages = 0
                return .send
            }
            switch step {
            case .wait:
                guard wake.wait(timeout: .now() + Self.writerIdleTimeout) == .timedOut else { continue }
                let ended = writer.withLock { state -> Bool in
                    guard state.idle, state.buffer.isEmpty, !state.stopping else { return false }
                    state.idle = false
                    state.running = false
                    return true
                }
                if ended { return false }
                // An enqueue or a stop cleared `idle` and signals (or has signalled): take that signal.
                wake.wait()
            case .stop:
                return true
            case .send:
                let sent = (try? tcp.sendAll(batch)) != nil
                batch.removeAll(keepingCapacity: batch.capacity <= 1 << 20)
                writer.withLock { state in
                    state.inFlightMessages = 0
                    if sent { state.writtenBytes += state.inFlightBytes }
                    state.inFlightBytes = 0
                    if !sent {
                        state.stopping = true
                        state.buffer = []
                        state.queuedMessages = 0
                    }
                }
                if !sent { tcp.shutdown() }  // Lets the reader notice and clean up.
                onDrained(self)
                if !sent { return true }
            }
        }
    }

    /// Stops the writer after it has written what is queued, and waits for it to exit.
    func stopWriterAndWait() {
        let (signal, running) = writer.withLock { state -> (Bool, Bool) in
            state.stopping = true
            guard state.idle else { return (false, state.running) }
            state.idle = false
            return (true, state.running)
        }
        if signal { wake.signal() }
        if running { writerDone.wait() }
    }
}
