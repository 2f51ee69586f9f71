import Taskiq

/// Sending, for PUB (fan-out with drops) and PUSH (round-robin with back-pressure).
extension ZMTPSocket {
    /// Sends one multipart message.
    ///
    /// PUB: to every ready peer with a matching subscription, dropping for peers whose queue is
    /// at the high-water mark (counted in ``droppedMessageCount``); returns at once.
    /// PUSH: to the next ready peer with room, in turn; waits up to
    /// ``ZMTPSocketOptions/sendTimeout`` for one, then throws rather than drop.
    /// - Parameter parts: The frames; an empty array sends one empty frame.
    /// - Throws: ``ZMTPError`` `sendTimeout`, `closed` or `unsupportedOperation`.
    package func send(_ parts: [[UInt8]]) async throws {
        switch type {
        case .pub: try publish(parts)
        case .push: try await push(parts)
        default: throw ZMTPError(.unsupportedOperation, "a \(type.name) socket cannot send; use PUSH or PUB")
        }
    }

    private func publish(_ parts: [[UInt8]]) throws {
        var bytes: [UInt8] = []
        ZMTPMachine.appendMessage(parts, to: &bytes)
        let topic = parts.first ?? []
        try state.withLock { state in
            guard !state.closed else { throw ZMTPError(.closed, "the PUB socket was closed") }
            for id in state.readyOrder {
                guard let peer = state.peers[id],
                    peer.subscriptions.keys.contains(where: { topic.starts(with: $0) })
                else { continue }
                if peer.connection.pendingMessages < options.sendHighWaterMark {
                    peer.connection.enqueue(bytes, messages: 1)
                } else {
                    state.dropped += 1
                }
            }
        }
    }

    private func push(_ parts: [[UInt8]]) async throws {
        if try tryPush(parts) { return }
        // Acknowledgements from a peer's TCP raise no event here: look again every few milliseconds too.
        let sent = try await waitUntil(timeout: options.sendTimeout, recheckEvery: .milliseconds(5)) { [self] state in
            (try? pushLocked(parts, &state)) != false ? true : nil
        }
        if sent == nil {
            let (peers, ready) = state.withLock { ($0.peers.count, $0.readyOrder.count) }
            throw ZMTPError(
                .sendTimeout,
                "no PULL peer could take the message within \(options.sendTimeout) (\(peers) connected, \(ready) ready;"
                    + " each ready peer is at the high-water mark of \(options.sendHighWaterMark) or has stopped reading,"
                    + " with \(options.drainBacklogLimit) bytes unacknowledged); the message was not sent")
        }
        if isClosedForSend { throw ZMTPError(.closed, "the PUSH socket was closed") }
    }

    private var isClosedForSend: Bool { state.withLock { $0.closed } }

    private func tryPush(_ parts: [[UInt8]]) throws -> Bool {
        try state.withLock { try pushLocked(parts, &$0) }
    }

    /// Enqueues on the next ready peer that has room and drains, in turn; `false` when none can
    /// take the message now. Throws once closed.
    ///
    /// A peer drains when, of the bytes given to it, all but ``ZMTPSocketOptions/drainBacklogLimit``
    /// have been written and acknowledged by its TCP. When none does, the message goes to a peer
    /// whose TCP acknowledged something since we last looked (a slow reader, not a stopped one),
    /// the one with the least unacknowledged. A peer that completed the handshake and stopped
    /// reading absorbs what its kernel's receive buffer holds plus that limit, then gets nothing
    /// more, instead of its round-robin share until our queue for it reaches the high-water mark.
    private func pushLocked(_ parts: [[UInt8]], _ state: inout State) throws -> Bool {
        guard !state.closed else { throw ZMTPError(.closed, "the PUSH socket was closed") }
        let count = state.readyOrder.count
        var slow: (index: Int, unacknowledged: Int)?
        for step in 0..<count {
            let index = (state.roundRobin + step) % count
            guard let connection = state.peers[state.readyOrder[index]]?.connection,
                connection.pendingMessages < options.sendHighWaterMark
            else { continue }
            let backlog = connection.backlog(limit: options.drainBacklogLimit)
            if backlog.queued + backlog.unacknowledged > options.drainBacklogLimit {
                if backlog.progressed, backlog.unacknowledged < slow?.unacknowledged ?? .max {
                    slow = (index, backlog.unacknowledged)
                }
                continue
            }
            if enqueue(parts, on: connection) {
                state.roundRobin = index + 1
                return true
            }
        }
        if let slow, let connection = state.peers[state.readyOrder[slow.index]]?.connection, enqueue(parts, on: connection) {
            state.roundRobin = slow.index + 1
            return true
        }
        return false
    }

    private func enqueue(_ parts: [[UInt8]], on connection: ZMTPConnection) -> Bool {
        connection.enqueue(messages: 1) { ZMTPMachine.appendMessage(parts, to: &$0) }
    }
}
