#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The pure arithmetic of slots: where a schedule starts, and where it goes after a send.
enum SlotPlanner {
    struct Plan: Equatable {
        /// Send one catch-up message now for missed slots.
        var catchUp: Bool
        /// The next slot to send, if any.
        var next: Date?
    }

    /// The first slot of a schedule the scheduler has just taken up, given its last recorded slot.
    static func initial(_ trigger: Schedule.Trigger, lastFired: Date?, now: Date, catchUp: CatchUpPolicy) -> Plan {
        switch trigger {
        case .cron(let cron, let zone):
            guard let last = lastFired else { return Plan(catchUp: false, next: cron.next(after: now, in: zone)) }
            if let first = cron.next(after: last, in: zone), first <= now {
                return Plan(catchUp: catchUp == .runOnce, next: cron.next(after: now, in: zone))
            }
            return Plan(catchUp: false, next: cron.next(after: last, in: zone))
        case .interval(let seconds):
            guard let last = lastFired else { return Plan(catchUp: false, next: now) }
            let interval = TimeInterval(max(seconds, 1))  // a hand-built .interval(seconds: 0) must not spin
            let first = last.addingTimeInterval(interval)
            guard first <= now else { return Plan(catchUp: false, next: first) }
            if catchUp == .runOnce { return Plan(catchUp: true, next: now.addingTimeInterval(interval)) }
            return Plan(catchUp: false, next: gridSlot(after: now, anchor: last, interval: interval))
        case .once(let time):
            if let last = lastFired, last >= time { return Plan(catchUp: false, next: nil) }
            return Plan(catchUp: false, next: time)
        }
    }

    /// The slot after `slot` was sent at `now`; overdue slots in between are passed over.
    static func after(_ trigger: Schedule.Trigger, slot: Date, now: Date) -> Date? {
        switch trigger {
        case .cron(let cron, let zone):
            return cron.next(after: max(slot, now), in: zone)
        case .interval(let seconds):
            let interval = TimeInterval(max(seconds, 1))  // a hand-built .interval(seconds: 0) must not spin
            let next = slot.addingTimeInterval(interval)
            return next > now ? next : gridSlot(after: now, anchor: slot, interval: interval)
        case .once:
            return nil
        }
    }

    /// The first `anchor + k * interval` strictly after `now`.
    private static func gridSlot(after now: Date, anchor: Date, interval: TimeInterval) -> Date {
        let steps = ((now.timeIntervalSince(anchor)) / interval).rounded(.down) + 1
        return anchor.addingTimeInterval(steps * interval)
    }
}
