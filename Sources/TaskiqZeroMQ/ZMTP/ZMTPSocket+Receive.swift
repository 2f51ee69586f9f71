import Taskiq

/// Receiving, for PULL and SUB: one fair queue fed by every connection's reader.
extension ZMTPSocket {
    /// Waits for the next message from any peer.
    /// - Returns: The message's frames, at least one.
    /// - Throws: ``ZMTPError`` `closed` once the socket closes, `unsupportedOperation` on PUB
    ///   or PUSH, or `CancellationError`.
    package func receive() async throws -> [[UInt8]] {
        guard type == .pull || type == .sub else {
            throw ZMTPError(.unsupportedOperation, "a \(type.name) socket cannot receive; use PULL or SUB")
        }
        if let message = try popNow() { return message }
        let id = state.withLock { $0.nextIdentifier() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let result = state.withLock { state -> Result<[[UInt8]], any Error>? in
                    if let message = state.popInbox() { return .success(message) }
                    if state.closed { return .failure(ZMTPError(.closed, "the \(type.name) socket was closed")) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.receivers.append((id, continuation))
                    return nil
                }
                if let result {
                    continuation.resume(with: result)
                    resumeBlockedReaders()
                }
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<[[UInt8]], any Error>? in
                guard let index = state.receivers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.receivers.remove(at: index).continuation
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    private func popNow() throws -> [[UInt8]]? {
        let message = try state.withLock { state -> [[UInt8]]? in
            if let message = state.popInbox() { return message }
            if state.closed { throw ZMTPError(.closed, "the \(type.name) socket was closed") }
            return nil
        }
        if message != nil { resumeBlockedReaders() }
        return message
    }

    private func resumeBlockedReaders() {
        let readers = state.withLock { state -> [ZMTPConnection] in
            // Resume at half the mark, not just below it, so a stopped reader is not woken
            // (a context switch) for every single message received.
            guard !state.blockedReaders.isEmpty, state.inboxCount <= options.receiveHighWaterMark / 2 else { return [] }
            defer { state.blockedReaders = [] }
            return state.blockedReaders
        }
        for reader in readers { reader.readerResume.signal() }
    }

    /// Hands a message to a waiting receiver or queues it; blocks the reader thread while the
    /// queue is at the high-water mark, so TCP pushes back on the sender.
    func deliver(_ parts: [[UInt8]], from connection: ZMTPConnection) {
        enum Outcome {
            case dropped, queued, block
            case handed(CheckedContinuation<[[UInt8]], any Error>)
        }
        let outcome = state.withLock { state -> Outcome in
            switch type {
            case .pull: break
            case .sub:
                let topic = parts.first ?? []
                guard state.subscriptions.keys.contains(where: { topic.starts(with: $0) }) else { return .dropped }
            default: return .dropped  // PUB and PUSH ignore data from their peers.
            }
            if !state.receivers.isEmpty { return .handed(state.receivers.removeFirst().continuation) }
            state.inbox.append(parts)
            guard state.inboxCount >= options.receiveHighWaterMark, !state.closed else { return .queued }
            state.blockedReaders.append(connection)
            return .block
        }
        switch outcome {
        case .handed(let continuation): continuation.resume(returning: parts)
        case .block: connection.readerResume.wait()
        case .dropped, .queued: break
        }
    }
}
