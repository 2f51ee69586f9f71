import Dispatch
import Foundation
import Synchronization

/// One TCP connection of a ``ZMTPSocket``: the descriptor and its writer.
///
/// Senders append encoded frames to a buffer; a writer thread swaps the whole buffer out and
/// writes it with one `send` per batch, so a burst of small messages costs few syscalls. The
/// reading side (and the protocol machine) lives in ``ZMTPSocket``'s per-connection thread.
final class ZMTPConnection: Sendable {
    private struct WriterState {
        var buffer: [UInt8] = []
        var queuedMessages = 0
        var inFlightMessages = 0
        var inFlightBytes = 0
        /// Bytes handed to the kernel so far.
        var writtenBytes = 0
        var idle = false
        var stopping = false
    }

    let id: UInt64
    let tcp: TCPSocket
    /// The peer's address, for logs.
    let peerName: String
    private let writer = Mutex(WriterState())
    /// How many written bytes the peer's TCP had acknowledged when ``backlog()`` last looked.
    private let lastAcknowledged = Mutex(0)
    private let wake = DispatchSemaphore(value: 0)
    private let writerDone = DispatchSemaphore(value: 0)
    /// Signalled to let a reader that stopped at the receive high-water mark continue.
    let readerResume = DispatchSemaphore(value: 0)

    init(id: UInt64, tcp: TCPSocket) {
        self.id = id
        self.tcp = tcp
        self.peerName = tcp.peerName
    }

    /// Messages queued or being written, compared against the send high-water mark.
    var pendingMessages: Int {
        writer.withLock { $0.queuedMessages + $0.inFlightMessages }
    }

    /// Bytes queued or being written by the writer thread (not yet handed to the kernel).
    var pendingBytes: Int {
        writer.withLock { $0.buffer.count + $0.inFlightBytes }
    }

    /// What is waiting for the peer: bytes not yet written, bytes written that its TCP has not
    /// acknowledged, and whether it acknowledged anything since the previous call.
    func backlog() -> (queued: Int, unacknowledged: Int, progressed: Bool) {
        let (queued, written) = writer.withLock { ($0.buffer.count + $0.inFlightBytes, $0.writtenBytes) }
        let unacknowledged = tcp.unacknowledgedBytes()
        let acknowledged = written - unacknowledged
        let progressed = lastAcknowledged.withLock { last in
            defer { last = max(last, acknowledged) }
            return acknowledged > last
        }
        return (queued, unacknowledged, progressed)
    }

    /// Appends bytes carrying `messages` messages (0 for commands); `false` once stopping.
    @discardableResult
    func enqueue(messages: Int = 0, _ write: (inout [UInt8]) -> Void) -> Bool {
        let signal = writer.withLock { state -> Bool? in
            guard !state.stopping else { return nil }
            write(&state.buffer)
            state.queuedMessages += messages
            guard state.idle else { return false }
            state.idle = false
            return true
        }
        if signal == true { wake.signal() }
        return signal != nil
    }

    /// Appends ready-made bytes.
    @discardableResult
    func enqueue(_ bytes: [UInt8], messages: Int = 0) -> Bool {
        enqueue(messages: messages) { $0.append(contentsOf: bytes) }
    }

    /// Starts the writer thread; `onDrained` runs after every written batch.
    func startWriter(onDrained: @escaping @Sendable (ZMTPConnection) -> Void) {
        let thread = Thread { [self] in
            writeLoop(onDrained: onDrained)
            writerDone.signal()
        }
        thread.name = "zmtp-writer"
        thread.start()
    }

    private func writeLoop(onDrained: @Sendable (ZMTPConnection) -> Void) {
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
                wake.wait()
            case .stop:
                return
            case .send:
                let sent = tcp.sendAll(batch)
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
                if !sent { return }
            }
        }
    }

    /// Stops the writer after it has written what is queued, and waits for it to exit.
    func stopWriterAndWait() {
        let signal = writer.withLock { state -> Bool in
            state.stopping = true
            guard state.idle else { return false }
            state.idle = false
            return true
        }
        if signal { wake.signal() }
        writerDone.wait()
    }
}
