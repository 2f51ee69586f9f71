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
        let sent = try await waitUntil(timeout: options.sendTimeout) { [self] state in
            (try? pushLocked(parts, &state)) != false ? true : nil
        }
        if sent == nil {
            let (peers, ready) = state.withLock { ($0.peers.count, $0.readyOrder.count) }
            throw ZMTPError(
                .sendTimeout,
                "no PULL peer could take the message within \(options.sendTimeout) (\(peers) connected, \(ready) ready,"
                    + " all ready peers at the high-water mark of \(options.sendHighWaterMark)); the message was not sent")
        }
        if isClosedForSend { throw ZMTPError(.closed, "the PUSH socket was closed") }
    }

    private var isClosedForSend: Bool { state.withLock { $0.closed } }

    private func tryPush(_ parts: [[UInt8]]) throws -> Bool {
        try state.withLock { try pushLocked(parts, &$0) }
    }

    /// Enqueues on the next ready peer with room; `false` when none has. Throws once closed.
    private func pushLocked(_ parts: [[UInt8]], _ state: inout State) throws -> Bool {
        guard !state.closed else { throw ZMTPError(.closed, "the PUSH socket was closed") }
        let count = state.readyOrder.count
        for step in 0..<count {
            let index = (state.roundRobin + step) % count
            guard let connection = state.peers[state.readyOrder[index]]?.connection,
                connection.pendingMessages < options.sendHighWaterMark
            else { continue }
            guard connection.enqueue(messages: 1, { ZMTPMachine.appendMessage(parts, to: &$0) }) else { continue }
            state.roundRobin = index + 1
            return true
        }
        return false
    }
}
