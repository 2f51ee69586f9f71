#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Receiver {
    /// Stores a message that cannot run in the broker's dead-letter queue, then acknowledges it;
    /// without a queue, only acknowledges it. When storing fails the delivery is left
    /// unacknowledged, so the broker can deliver it again rather than lose it (brokers that cannot
    /// redeliver lose it; the log then says so and carries the bytes).
    func reject(
        _ letter: DeadLetter, delivery: AckableMessage, settings: BrokerComponents.Settings,
        acknowledge: Acknowledger
    ) async {
        if let queue = settings.deadLetterQueue, await !store(letter, in: queue, canRedeliver: delivery.release != nil) {
            await delivery.release?()
            return
        }
        await ack(acknowledge)
    }

    /// Dead-letters a failed task when the policy says so for its retry decision.
    /// - Returns: `nil` when the task is not dead-lettered, else whether it was stored.
    /// - Parameter canRedeliver: Whether leaving the delivery unacknowledged lets the broker deliver
    ///   it again (for the log line when storing fails).
    func deadLetterFailure(
        _ failure: TaskError, message: TaskiqMessage, data: [UInt8], queue: any DeadLetterQueue,
        policy: DeadLetterPolicy, context: TaskContext, canRedeliver: Bool
    ) async -> Bool? {
        guard !failure.isNoResult, !failure.isCancelled else { return nil }
        let decision = context.retryDecision
        guard policy.deadLetters(after: decision) else { return nil }
        let reason: DeadLetter.Reason
        let text: String
        switch decision {
        case .exhausted?:
            (reason, text) = (.retriesExhausted, "retries exhausted; last error: \(failure)")
        case .filtered?:
            (reason, text) = (.retriesExhausted, "not retried after \(failure.name): \(failure)")
        default:
            (reason, text) = (.taskFailed, "task failed: \(failure)")
        }
        return await store(
            DeadLetter(
                reason: reason, message: text, data: data, taskName: message.taskName,
                taskID: message.taskID, error: failure), in: queue, canRedeliver: canRedeliver)
    }

    /// Adds a letter, stamped with the broker's name; logs and counts the outcome.
    private func store(_ letter: DeadLetter, in queue: any DeadLetterQueue, canRedeliver: Bool) async -> Bool {
        var letter = letter
        letter.broker = options.brokerName
        do {
            let id = try await queue.add(letter)
            counters.deadLettered.increment()
            baseLogger.info(
                "stored dead letter \(id) (\(letter.reason)) for \(letter.taskName.map { "task \($0)" } ?? "\(letter.data.count) bytes")")
            return true
        } catch {
            counters.deadLetterFailures.increment()
            let what = letter.taskName.map { "task \($0)" } ?? "\(letter.data.count) bytes"
            if canRedeliver {
                baseLogger.error(
                    """
                    cannot store the dead letter (\(letter.reason)) for \(what): \(error); leaving the delivery \
                    unacknowledged so the broker can deliver it again
                    """)
            } else {
                // Nothing can bring the message back: the log line is its last copy.
                baseLogger.error(
                    """
                    cannot store the dead letter (\(letter.reason)) for \(what): \(error); this broker cannot \
                    deliver it again, so the message is lost; its bytes (base64): \(Data(letter.data).base64EncodedString())
                    """)
            }
            return false
        }
    }
}
