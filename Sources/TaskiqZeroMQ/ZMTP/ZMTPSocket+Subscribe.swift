import Taskiq

/// Subscriptions: what a SUB asks for, and what a PUB has been asked for.
extension ZMTPSocket {
    /// Subscribes a SUB to messages whose first frame starts with `prefix` (empty: all).
    ///
    /// Subscriptions are counted, as in ZeroMQ, and re-sent on every (re)connection.
    package func subscribe(_ prefix: [UInt8] = []) throws {
        try changeSubscription(prefix, delta: 1)
    }

    /// Cancels one earlier ``subscribe(_:)`` to `prefix`.
    package func unsubscribe(_ prefix: [UInt8] = []) throws {
        try changeSubscription(prefix, delta: -1)
    }

    private func changeSubscription(_ prefix: [UInt8], delta: Int) throws {
        guard type == .sub else {
            throw ZMTPError(.unsupportedOperation, "only a SUB socket subscribes; this one is \(type.name)")
        }
        notifyChanged { state in
            let before = state.subscriptions[prefix, default: 0]
            let after = max(0, before + delta)
            state.subscriptions[prefix] = after > 0 ? after : nil
            guard (before == 0) != (after == 0) else { return }
            for id in state.readyOrder {
                guard let peer = state.peers[id] else { continue }
                peer.connection.enqueue(
                    ZMTPMachine.subscription(prefix, subscribe: after > 0, commandForm: peer.commandSubscriptions))
            }
        }
    }

    /// Ready peers of a PUB that hold at least one subscription.
    package var subscriberCount: Int {
        state.withLock { state in
            state.readyOrder.count { state.peers[$0].map { !$0.subscriptions.isEmpty } ?? false }
        }
    }

    /// Waits until at least `count` peers of a PUB have subscribed, so a short-lived producer's
    /// first messages are not lost to the slow-joiner effect.
    /// - Returns: `true` when enough subscribers are there, `false` after `timeout`.
    package func waitForSubscribers(atLeast count: Int = 1, timeout: Duration) async throws -> Bool {
        let reached = try await waitUntil(timeout: timeout) { state -> Bool? in
            if state.closed { return false }
            let subscribers = state.readyOrder.count { state.peers[$0].map { !$0.subscriptions.isEmpty } ?? false }
            return subscribers >= count ? true : nil
        }
        return reached ?? false
    }

    /// Waits until at least `count` peers have completed their handshake.
    /// - Returns: `true` when enough peers are ready, `false` after `timeout`.
    package func waitForReadyPeers(atLeast count: Int = 1, timeout: Duration) async throws -> Bool {
        let reached = try await waitUntil(timeout: timeout) { state -> Bool? in
            state.closed ? false : state.readyOrder.count >= count ? true : nil
        }
        return reached ?? false
    }
}
