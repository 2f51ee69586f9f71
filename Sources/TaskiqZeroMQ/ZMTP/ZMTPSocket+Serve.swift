import Synchronization
import Taskiq

/// The per-connection reader: bytes from the descriptor into the machine, events into the socket.
extension ZMTPSocket {
    /// Runs one connection to its end on the calling thread, then releases it.
    /// - Returns: Whether the handshake completed, which resets a connector's backoff.
    func serve(_ connection: ZMTPConnection, endpoint: ZMTPEndpoint) -> Bool {
        var machine = ZMTPMachine(options: machineOptions)
        var logger = self.logger
        logger[metadataKey: "endpoint"] = endpoint.description
        logger[metadataKey: "peer"] = connection.peerName
        logger[metadataKey: "socket_type"] = type.name
        connection.enqueue(machine.greeting())
        connection.tcp.setReceiveTimeout(options.handshakeTimeout)

        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 1)
        defer { buffer.deallocate() }
        var wasReady = false
        reading: while true {
            let count: Int
            do {
                count = try connection.tcp.receive(into: buffer)
            } catch {
                if !machine.isReady, error.kind == .receiveTimedOut {
                    logger.warning(
                        "Disconnecting ZMTP peer: handshake not completed within \(options.handshakeTimeout)")
                } else if !isClosedForServe {
                    logger.debug("ZMTP connection failed: \(error.reason)")
                }
                break
            }
            if count == 0 {
                logger.debug("ZMTP peer disconnected")
                break
            }
            for event in machine.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) {
                switch event {
                case .greetingReceived(let greeting):
                    state.withLock { $0.peers[connection.id]?.commandSubscriptions = greeting.usesSubscriptionCommands }
                    connection.enqueue(machine.ready())
                case .ready:
                    connection.tcp.setReceiveTimeout(nil)
                    wasReady = true
                    peerBecameReady(connection)
                    logger.debug("ZMTP peer ready")
                case .message(let parts):
                    deliver(parts, from: connection)
                case .subscribe(let prefix):
                    peerSubscription(connection, prefix: prefix, delta: 1)
                case .cancel(let prefix):
                    peerSubscription(connection, prefix: prefix, delta: -1)
                case .ping(_, let context):
                    connection.enqueue(ZMTPMachine.pong(context: context))
                case .pong:
                    break
                case .error(let reason):
                    logger.warning("Disconnecting ZMTP peer: it sent ERROR \"\(reason)\"")
                    break reading
                case .failed(let error):
                    violations.add(1, ordering: .relaxed)
                    logger.error("Disconnecting bad ZMTP peer: \(error.message)", metadata: ["code": error.code.name])
                    break reading
                }
            }
        }
        release(connection)
        return wasReady
    }

    private var isClosedForServe: Bool { state.withLock { $0.closed } }

    private func release(_ connection: ZMTPConnection) {
        notifyChanged { state in
            // The listener's slot frees with the peer, so a new connection can be served at once.
            if let listener = state.peers[connection.id]?.listener {
                state.listenerConnections[listener, default: 1] -= 1
            }
            state.peers[connection.id] = nil
            if let index = state.readyOrder.firstIndex(of: connection.id) {
                state.readyOrder.remove(at: index)
                if state.roundRobin > index { state.roundRobin -= 1 }
            }
            state.blockedReaders.removeAll { $0 === connection }
        }
        connection.tcp.shutdown()
        connection.stopWriterAndWait()
        connection.tcp.close()
    }

    private func peerBecameReady(_ connection: ZMTPConnection) {
        notifyChanged { state in
            guard var peer = state.peers[connection.id] else { return }
            peer.ready = true
            state.peers[connection.id] = peer
            state.readyOrder.append(connection.id)
            if type == .sub {
                for prefix in state.subscriptions.keys {
                    let bytes = ZMTPMachine.subscription(prefix, subscribe: true, commandForm: peer.commandSubscriptions)
                    connection.enqueue(bytes)
                }
            }
        }
    }

    private func peerSubscription(_ connection: ZMTPConnection, prefix: [UInt8], delta: Int) {
        guard type == .pub else { return }
        notifyChanged { state in
            guard var peer = state.peers[connection.id] else { return }
            let count = peer.subscriptions[prefix, default: 0] + delta
            peer.subscriptions[prefix] = count > 0 ? count : nil
            state.peers[connection.id] = peer
        }
    }
}
