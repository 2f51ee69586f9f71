import Synchronization
import Taskiq

extension AMQPConnection {
    /// Has the writer thread write what the machine queued, unless a write is already under way.
    func flush() {
        let start = state.withLock { state -> Bool in
            guard !state.flushing, state.machine.hasOutbound, state.socketUsers > 0 else { return false }
            state.flushing = true
            state.socketUsers += 1
            return true
        }
        if start { writer.wakeAfterRunnableTasks() }
    }

    /// Sends what the machine queued until nothing is left, on the writer thread; returns at
    /// once when no write was asked for.
    func flushLoop() {
        while true {
            let (chunk, closeSocket) = state.withLock { state -> ([UInt8], Bool) in
                guard state.flushing else { return ([], false) }
                let bytes = state.machine.takeOutbound()
                if !bytes.isEmpty { return (bytes, false) }
                state.flushing = false
                state.socketUsers -= 1
                return ([], state.socketUsers == 0)
            }
            guard !chunk.isEmpty else {
                if closeSocket { stream.close() }
                return
            }
            do {
                try stream.sendAll(chunk)
            } catch {
                fail(AMQPConnectionError(.connectionLost, message: "writing to \(address) failed: \(error.reason)"))
            }
        }
    }

    /// Ends the connection with `error`: every waiter fails with it and the reader wakes.
    func fail(_ error: AMQPConnectionError) {
        let (channels, opened, watchers) = state.withLock { state in
            guard state.failure == nil else {
                return ([ChannelState](), OnceContinuation<AMQPTuning>?.none, [AsyncStream<AMQPConnectionEvent>.Continuation]())
            }
            state.failure = error
            if state.socketUsers > 0 { stream.shutdown() }
            defer {
                state.channels.removeAll()
                state.opened = nil
                state.watchers.removeAll()
            }
            return (Array(state.channels.values), state.opened, state.watchers)
        }
        opened?.resume(with: .failure(error))
        for channel in channels { Self.finish(channel, with: error) }
        for watcher in watchers {
            watcher.yield(.closed(error))
            watcher.finish()
        }
    }

    /// Fails every waiter of a channel and ends its consumers.
    static func finish(_ channel: ChannelState, with error: AMQPConnectionError) {
        for request in channel.rpc { channel.rpcWaiters[request]?.resume(throwing: error) }
        var confirms = channel.confirms
        for request in confirms?.removeAll() ?? [] { channel.confirmWaiters[request]?.resume(throwing: error) }
        for consumer in channel.consumers.values { consumer.finish(throwing: error) }
    }

    func readLoop() {
        let capacity = 64 * 1024
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        reading: while true {
            let wait = state.withLock { state -> Duration? in
                guard state.failure == nil else { return nil }
                let now = ContinuousClock.now
                var until = now.advanced(by: .milliseconds(500))
                if let next = state.machine.nextTick { until = min(until, next) }
                if let deadline = state.handshakeDeadline { until = min(until, deadline) }
                return max(.zero, now.duration(to: until))
            }
            guard let wait else { break }
            if stream.waitReadable(timeout: wait) {
                let count: Int
                do {
                    count = try stream.receive(into: buffer)
                } catch  where error.kind == .receiveTimedOut {
                    continue
                } catch {
                    lost("reading failed: \(error.reason)")
                    break
                }
                if count == 0 {
                    lost("the server closed the socket")
                    break
                }
                let events = state.withLock { $0.machine.receive(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), now: .now) }
                if handle(events) { break reading }
            }
            let (events, expired) = state.withLock { state -> ([AMQPConnectionEvent], Bool) in
                let expired = state.handshakeDeadline.map { ContinuousClock.now >= $0 } ?? false
                return (state.machine.tick(now: .now), expired)
            }
            if handle(events) { break }
            if expired {
                fail(AMQPConnectionError(.timeout, message: "\(address) did not finish opening or closing the connection in time"))
                break
            }
            flush()
        }
        let closeSocket = state.withLock { state -> Bool in
            state.socketUsers -= 1
            return state.socketUsers == 0
        }
        if closeSocket { stream.close() }
        // The socket is unusable by now: a write still under way ends, and no new one starts.
        writer.stop()
    }

    private func lost(_ reason: String) {
        let event = state.withLock { $0.machine.connectionLost(reason) }
        if let event { _ = handle([event]) } else { fail(AMQPConnectionError(.connectionLost, message: reason)) }
    }

    /// Dispatches machine events; returns `true` when the connection ended.
    private func handle(_ events: [AMQPConnectionEvent]) -> Bool {
        var resumes: [@Sendable () -> Void] = []
        var ended: AMQPConnectionError?
        var closedCleanly = false
        state.withLock { state in
            for event in events {
                switch event {
                case .opened(let tuning):
                    state.handshakeDeadline = nil
                    if let opened = state.opened {
                        state.opened = nil
                        resumes.append { opened.resume(with: .success(tuning)) }
                    }
                case .method(let channel, let method):
                    dispatch(method, channel: channel, state: &state, resumes: &resumes)
                case .content(let channel, let content):
                    deliver(content, channel: channel, state: &state, resumes: &resumes)
                case .channelClosed(let channel, let reason):
                    let error = AMQPConnectionError(.channelClosedByServer, reason: reason, message: "the server closed channel \(channel)")
                    if var closed = state.channels[channel] {
                        closed.failure = error
                        let snapshot = closed
                        closed.rpc.removeAll()
                        closed.rpcWaiters.removeAll()
                        closed.confirms = nil
                        closed.confirmWaiters.removeAll()
                        closed.consumers.removeAll()
                        state.channels[channel] = closed
                        resumes.append { Self.finish(snapshot, with: error) }
                    }
                    logger.warning("RabbitMQ closed channel \(channel): \(reason)", metadata: ["rabbitmq": address])
                case .blocked(let reason):
                    state.blocked = reason
                    for watcher in state.watchers { watcher.yield(event) }
                    logger.warning("RabbitMQ blocked publishing: \(reason)", metadata: ["rabbitmq": address])
                case .unblocked:
                    state.blocked = nil
                    for watcher in state.watchers { watcher.yield(event) }
                    logger.info("RabbitMQ unblocked publishing", metadata: ["rabbitmq": address])
                case .closed(let error):
                    if let error { ended = error } else { closedCleanly = true }
                }
            }
        }
        for resume in resumes { resume() }
        flush()
        if let ended {
            fail(ended)
            return true
        }
        if closedCleanly {
            let opened = state.withLock { state -> OnceContinuation<AMQPTuning>? in
                defer { state.opened = nil }
                return state.opened
            }
            opened?.resume(with: .failure(AMQPConnectionError(.closedLocally, message: "the connection was closed")))
            fail(AMQPConnectionError(.closedLocally, message: "the connection was closed"))
            return true
        }
        return false
    }

    private func dispatch(_ method: AMQPMethod, channel: UInt16, state: inout State, resumes: inout [@Sendable () -> Void]) {
        switch method {
        case .basicAck(let tag, let multiple), .basicNack(let tag, let multiple, _):
            let acked = if case .basicAck = method { true } else { false }
            guard let settled = state.channels[channel]?.confirms?.settle(deliveryTag: tag, multiple: multiple, acked: acked) else {
                return
            }
            for (_, request, outcome) in settled {
                guard let continuation = state.channels[channel]?.confirmWaiters.removeValue(forKey: request) else { continue }
                switch outcome {
                case .acked: resumes.append { continuation.resume() }
                case .nacked:
                    resumes.append {
                        continuation.resume(
                            throwing: AMQPConnectionError(.publishNacked, message: "the server refused the message (Basic.Nack)"))
                    }
                case .returned(let reason):
                    let error = AMQPConnectionError(.publishReturned, reason: reason, message: "the server could not route the message")
                    resumes.append { continuation.resume(throwing: error) }
                }
            }
        case .basicCancel(let tag, _):
            if let consumer = state.channels[channel]?.consumers.removeValue(forKey: tag) {
                resumes.append {
                    consumer.finish(throwing: AMQPConnectionError(.consumerCancelled, message: "the server cancelled consumer \(tag)"))
                }
            }
        default:
            guard var channelState = state.channels[channel], !channelState.rpc.isEmpty else {
                logger.warning(
                    "RabbitMQ sent \(method.name) on channel \(channel), which no call was waiting for", metadata: ["rabbitmq": address])
                return
            }
            let request = channelState.rpc.removeFirst()
            let continuation = channelState.rpcWaiters.removeValue(forKey: request)
            state.channels[channel] = channelState
            if let continuation { resumes.append { continuation.resume(returning: method) } }
        }
    }

    private func deliver(_ content: AMQPContent, channel: UInt16, state: inout State, resumes: inout [@Sendable () -> Void]) {
        switch content.method {
        case .basicDeliver(let consumerTag, let deliveryTag, let redelivered, let exchange, let routingKey):
            guard let consumer = state.channels[channel]?.consumers[consumerTag] else {
                logger.warning(
                    "RabbitMQ delivered to unknown consumer \(consumerTag) on channel \(channel)", metadata: ["rabbitmq": address])
                return
            }
            let delivery = AMQPDelivery(
                consumerTag: consumerTag, deliveryTag: deliveryTag, redelivered: redelivered, exchange: exchange,
                routingKey: routingKey, properties: content.properties, body: content.body)
            consumer.yield(delivery)
        case .basicReturn(let replyCode, let replyText, let exchange, let routingKey):
            let reason = AMQPCloseReason(
                replyCode: replyCode, replyText: "\(replyText) (exchange '\(exchange)', routing key '\(routingKey)')")
            let matched =
                content.properties.messageID.map {
                    state.channels[channel]?.confirms?.markReturned(messageID: $0, reason: reason) ?? false
                } ?? false
            if !matched {
                logger.warning("RabbitMQ returned a message no publish is waiting for: \(reason)", metadata: ["rabbitmq": address])
            }
        default:
            break
        }
    }
}
