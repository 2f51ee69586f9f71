/// Publisher-confirm bookkeeping for one channel in confirm mode: delivery tags count from 1
/// per publish, and the server's Basic.Ack / Basic.Nack settle one tag or (multiple) every
/// tag up to it. Basic.Return marks a publish so that its later ack is reported as returned.
///
/// Generic over what waits for a confirm, so it is testable without tasks.
package struct AMQPPublishConfirms<Waiter> {
    /// How a publish ended.
    package enum Outcome {
        /// The server took responsibility for the message.
        case acked
        /// The server could not store it (Basic.Nack).
        case nacked
        /// The server could not route a mandatory publish (Basic.Return), with the reason.
        case returned(AMQPCloseReason)
    }

    struct Entry {
        var waiter: Waiter
        var messageID: String?
        var returned: AMQPCloseReason?
    }

    private var entries: [UInt64: Entry] = [:]
    /// No outstanding tag is below this, so a multiple ack visits each tag once.
    private var lowest: UInt64 = 1
    /// The tag the next publish gets.
    package private(set) var nextTag: UInt64 = 1

    /// Empty bookkeeping; the first publish gets tag 1.
    package init() {}

    /// Publishes waiting for their confirm.
    package var outstanding: Int { entries.count }

    /// Records a publish and returns its delivery tag.
    package mutating func register(_ waiter: Waiter, messageID: String?) -> UInt64 {
        let tag = nextTag
        nextTag += 1
        entries[tag] = Entry(waiter: waiter, messageID: messageID)
        return tag
    }

    /// Marks the outstanding publish with `messageID` as returned; `false` when none matches.
    package mutating func markReturned(messageID: String, reason: AMQPCloseReason) -> Bool {
        guard let tag = entries.first(where: { $0.value.messageID == messageID && $0.value.returned == nil })?.key else { return false }
        entries[tag]?.returned = reason
        return true
    }

    /// Settles the publishes a Basic.Ack (`acked`) or Basic.Nack covers, in tag order.
    package mutating func settle(deliveryTag: UInt64, multiple: Bool, acked: Bool) -> [(tag: UInt64, waiter: Waiter, outcome: Outcome)] {
        var tags: [UInt64] = []
        if multiple {
            // Bounded by the tags handed out, whatever the server claims.
            let last = min(deliveryTag, nextTag - 1)
            var tag = lowest
            while tag <= last {
                if entries[tag] != nil { tags.append(tag) }
                tag += 1
            }
            lowest = max(lowest, tag)
        } else if entries[deliveryTag] != nil {
            tags = [deliveryTag]
        }
        defer {
            while lowest < nextTag, entries[lowest] == nil { lowest += 1 }
        }
        return tags.compactMap { tag in
            guard let entry = entries.removeValue(forKey: tag) else { return nil }
            let outcome: Outcome = if let reason = entry.returned { .returned(reason) } else if acked { .acked } else { .nacked }
            return (tag, entry.waiter, outcome)
        }
    }

    /// Removes and returns every waiter (the channel closed).
    package mutating func removeAll() -> [Waiter] {
        defer { entries.removeAll() }
        return entries.keys.sorted().compactMap { entries[$0]?.waiter }
    }
}

extension AMQPPublishConfirms: Sendable where Waiter: Sendable {}
extension AMQPPublishConfirms.Outcome: Sendable {}
extension AMQPPublishConfirms.Entry: Sendable where Waiter: Sendable {}
