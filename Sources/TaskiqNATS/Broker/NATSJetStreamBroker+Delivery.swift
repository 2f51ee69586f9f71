import Taskiq

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension NATSJetStreamBroker {
    /// Hands a delivery to the worker, unless its delay has not ended (given back for the time
    /// left) or it went past ``NATSJetStreamBrokerOptions/maxDeliveries`` (dead-lettered).
    /// Runs on the connection's reader thread.
    func deliver(_ delivery: JetStreamPullConsumer.Delivery, to continuation: DeliveryStream.Continuation) {
        guard let consumer = listening.withLock({ $0?.consumer }) else {
            // Shut down meanwhile: another worker gets it once this one's pull requests expired.
            client.publishNow(
                delivery.replySubject, payload: Array("-NAK {\"delay\": \((options.pullExpires + .seconds(1)).nanoseconds)}".utf8))
            return
        }
        let reply = delivery.replySubject
        let sequence = delivery.info.streamSequence
        let running = inFlight.withLock { held -> Bool in
            guard held[sequence] != nil else { return false }
            held[sequence] = Held(reply: reply, touched: .now)
            return true
        }
        if running {
            // Delivered again while this worker holds it (the server lost track of the first
            // delivery): keep it alive under the new ack subject, where its ack now goes.
            client.publishNow(reply, payload: Self.inProgress)
            consumer.settled()
            logger.info("JetStream delivered stream message \(sequence) again while this worker holds it; it is not started twice")
            return
        }
        let delay = delivery.message.headers?["delay"].flatMap { BrokerMessage.delay(.string($0)) }
        if let delay {
            let seconds = Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18
            let left = Date.now.distance(to: Self.stored(delivery.info).addingTimeInterval(seconds))
            if left > 0.001 {
                let wait = Duration.clampedSeconds(left) ?? .zero
                client.publishNow(reply, payload: Array("-NAK {\"delay\": \(wait.nanoseconds)}".utf8))
                consumer.settled()
                return
            }
        }
        // A delayed message was delivered once to be put off: that delivery did not run it.
        let runs = delivery.info.delivered - (delay == nil ? 0 : 1)
        if let limit = options.maxDeliveries, runs > limit {
            Task { await self.deadLetter(delivery, runs: runs, limit: limit, consumer: consumer) }
            return
        }
        inFlight.withLock { $0[sequence] = Held(reply: reply, touched: .now) }
        let result = continuation.yield(
            AckableMessage(
                data: delivery.message.payload,
                ack: { try await self.settle(sequence, Self.ack, consumer: consumer) },
                release: { try? await self.settle(sequence, Self.nak, consumer: consumer) }))
        if case .terminated = result {
            // Nobody listens any more: give it back at once rather than keep it alive.
            inFlight.withLock { _ = $0.removeValue(forKey: sequence) }
            client.publishNow(reply, payload: consumer.handBack)
            consumer.settled()
        }
    }

    /// When the stream stored a delivery's message.
    static func stored(_ info: JetStreamAckSubject) -> Date {
        Date(timeIntervalSince1970: Double(info.timestamp) / 1e9)
    }

    /// Acks or naks a delivery (`payload` is ``ack`` or ``nak``).
    ///
    /// While connected, the ack joins those of the other deliveries settled meanwhile and is
    /// written with them (``writeSettled(consumer:)``) once the tasks that are runnable now have
    /// run — at the end of a burst of finished tasks, never later than one turn of the pool —
    /// instead of each taking the client's and the connection's locks and waking the writer.
    /// ``shutdown()`` writes what is still waiting. Without a connection it waits for the next
    /// one, as before, up to 10 s.
    func settle(_ sequence: UInt64, _ payload: [UInt8], consumer: JetStreamPullConsumer) async throws {
        guard let reply = inFlight.withLock({ $0.removeValue(forKey: sequence)?.reply }) else { return }
        guard client.isConnected else {
            consumer.settled()
            // Acks go by subject, so one sent on a later connection still counts.
            try await client.publish(reply, payload: payload, timeout: .seconds(10))
            return
        }
        let first = settledUnsent.withLock { unsent in
            unsent.append((reply, payload))
            return unsent.count == 1
        }
        if first { Task { await self.writeSettled(consumer: consumer) } }
    }

    /// Writes the acks and naks ``settle(_:_:consumer:)`` collected, in one write, and frees
    /// their places in the pull window. Those that find no connection wait for the next one
    /// (10 s at most, together).
    func writeSettled(consumer: JetStreamPullConsumer) async {
        let unsent = settledUnsent.withLock { unsent in
            defer { unsent.removeAll(keepingCapacity: true) }
            return unsent
        }
        guard !unsent.isEmpty else { return }
        consumer.settled(unsent.count)
        if client.publishNow(unsent) { return }
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        for (reply, payload) in unsent {
            do {
                try await client.publish(
                    reply, payload: payload, timeout: max(.milliseconds(1), ContinuousClock.now.duration(to: deadline)))
            } catch {
                logger.error(
                    "cannot send \(String(decoding: payload, as: UTF8.self)) for a delivery of stream '\(options.streamName)': \(error); it is delivered again after ack_wait"
                )
            }
        }
    }

    static let ack: [UInt8] = Array("+ACK".utf8)
    static let nak: [UInt8] = Array("-NAK".utf8)

    /// Sends `+WPI` for every delivery the worker holds, every third of the ack wait, so the
    /// server never delivers a running task again.
    func keepDeliveriesAlive() async {
        let interval = options.ackWait / 3
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            let now = ContinuousClock.now
            let due = inFlight.withLock { inFlight -> [String] in
                var due: [String] = []
                for (sequence, held) in inFlight where now - held.touched >= interval - .milliseconds(50) {
                    due.append(held.reply)
                    inFlight[sequence]?.touched = now
                }
                return due
            }
            if !due.isEmpty { client.publishNow(due.map { ($0, Self.inProgress) }) }
        }
    }

    static let inProgress: [UInt8] = Array("+WPI".utf8)

    /// Stores a delivery that ran too often as a dead letter, then terminates it; when the
    /// letter cannot be stored, the delivery is given back a second later, never lost.
    func deadLetter(_ delivery: JetStreamPullConsumer.Delivery, runs: Int, limit: Int, consumer: JetStreamPullConsumer) async {
        let text = "delivered \(runs) times, more than max_deliveries (\(limit))"
        let letter = DeadLetter(
            reason: .deliveryLimit, message: text, data: delivery.message.payload, queue: options.streamName,
            originalID: String(delivery.info.streamSequence), deliveries: runs
        ).withMessageDetails()
        let what = letter.taskName.map { "task \($0) (\(letter.taskID ?? "?"))" } ?? "a message of \(delivery.message.payload.count) bytes"
        let destination = components.deadLetterQueue ?? ownDeadLetters
        do {
            let id = try await destination.add(letter)
            logger.error("dead-lettered \(what) from stream '\(options.streamName)' as \(id): \(text)")
            try await client.publish(delivery.replySubject, payload: Array("+TERM".utf8), timeout: .seconds(10))
        } catch {
            logger.error(
                "cannot dead-letter \(what) from stream '\(options.streamName)' (\(text)): \(error); it is delivered again in a second")
            client.publishNow(delivery.replySubject, payload: Array("-NAK {\"delay\": 1000000000}".utf8))
        }
        consumer.settled()
    }
}
