#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The scheduler's mutable state across wake-ups, owned by the one task running ``Scheduler/run()``.
struct SchedulerLoop {
    struct Entry {
        var schedule: Schedule
        var source: Int
        /// The next slot to send; `nil` when there is none (a sent one-off, an impossible cron).
        var next: Date?
        /// Whether ``next`` was worked out from the state store while holding the lease.
        var prepared = false
    }

    let scheduler: Scheduler
    private(set) var holding = false
    private var entries: [String: Entry] = [:]
    private var order: [String] = []

    init(scheduler: Scheduler) {
        self.scheduler = scheduler
    }

    private var logger: Logger { scheduler.logger }

    mutating func run() async throws {
        var nextLeaseCheck = scheduler.clock.now
        var nextRefresh = nextLeaseCheck
        while true {
            try Task.checkCancellation()
            var now = scheduler.clock.now
            if now >= nextLeaseCheck {
                await checkLease()
                nextLeaseCheck = now.adding(scheduler.lease.renewalInterval ?? scheduler.options.leaseRenewalInterval)
            }
            if now >= nextRefresh {
                await refresh()
                nextRefresh = now.adding(scheduler.options.refreshInterval)
            }
            if holding {
                now = scheduler.clock.now
                await prepare(now: now)
                await sendDue(now: now)
            }
            var deadline = min(nextLeaseCheck, nextRefresh)
            if holding, let earliest = entries.values.compactMap({ $0.prepared ? $0.next : nil }).min() {
                deadline = min(deadline, earliest)
            }
            try await scheduler.clock.sleep(until: deadline)
        }
    }

    private mutating func checkLease() async {
        let held = holding
        do {
            holding = held ? try await scheduler.lease.renew() : try await scheduler.lease.acquire()
            if held && holding { TaskiqMetrics.leaseRenewalCounter.increment() }
        } catch {
            logger.error("Scheduler lease \(held ? "renewal" : "acquisition") failed: \(error)")
            holding = false
        }
        if held && !holding {
            logger.warning("Lost the scheduler lease; standing by")
        } else if !held && holding {
            logger.info("holding the scheduler lease; sending schedules")
            // Another scheduler may have sent slots meanwhile: start again from the state store.
            for id in order { entries[id]?.prepared = false }
        }
    }

    private mutating func refresh() async {
        var fresh: [String: Entry] = [:]
        var freshOrder: [String] = []
        for (index, source) in scheduler.sources.enumerated() {
            let schedules: [Schedule]
            do {
                schedules = try await source.schedules()
            } catch {
                logger.error("Cannot read schedule source \(index) (\(type(of: source))), keeping its schedules: \(error)")
                for id in order where entries[id]?.source == index && fresh[id] == nil {
                    fresh[id] = entries[id]
                    freshOrder.append(id)
                }
                continue
            }
            for schedule in schedules {
                let id = schedule.scheduleID
                if let existing = fresh[id] {
                    if existing.schedule != schedule {
                        logger.warning("Two schedules have the ID '\(id)'; keeping the first (task '\(existing.schedule.taskName)')")
                    }
                    continue
                }
                if let entry = entries[id], entry.schedule == schedule {
                    fresh[id] = entry
                } else {
                    fresh[id] = Entry(schedule: schedule, source: index)
                }
                freshOrder.append(id)
            }
        }
        entries = fresh
        order = freshOrder
    }

    /// Works out the next slot of each schedule not yet prepared, sending catch-up messages.
    private mutating func prepare(now: Date) async {
        for id in order {
            guard var entry = entries[id], !entry.prepared else { continue }
            let last: Date?
            do {
                last = try await scheduler.stateStore.lastFired(scheduleID: id)
            } catch {
                logger.error("Cannot read the last slot of schedule '\(id)'; retrying later: \(error)")
                continue
            }
            let plan = SlotPlanner.initial(
                entry.schedule.trigger, lastFired: last, now: now,
                catchUp: scheduler.options.catchUp)
            if plan.catchUp {
                logger.info(
                    "Schedule '\(id)' missed slots while no scheduler was sending; sending once now",
                    metadata: ["schedule_id": id, "task_name": entry.schedule.taskName])
                await send(entry, slot: now)
            }
            if plan.next == nil, !entry.schedule.isOneOff {
                logger.warning(
                    "Schedule '\(id)' has no fire time in the next ten years; it will not be sent",
                    metadata: ["schedule_id": id, "task_name": entry.schedule.taskName])
            }
            entry.next = plan.next
            entry.prepared = true
            entries[id] = entry
        }
    }

    private mutating func sendDue(now: Date) async {
        let due = order.compactMap { id -> (Entry, Date)? in
            guard let entry = entries[id], entry.prepared, let slot = entry.next, slot <= now else { return nil }
            return (entry, slot)
        }
        guard !due.isEmpty else { return }
        let this = self
        await withTaskGroup(of: Void.self) { group in
            for (entry, slot) in due {
                group.addTask { await this.send(entry, slot: slot) }
            }
        }
        for (entry, slot) in due {
            entries[entry.schedule.scheduleID]?.next = SlotPlanner.after(entry.schedule.trigger, slot: slot, now: now)
        }
    }

    /// Claims the slot and sends the schedule's message; failures are logged.
    private func send(_ entry: Entry, slot: Date) async {
        let schedule = entry.schedule
        let source = scheduler.sources[entry.source]
        let metadata = ["schedule_id": schedule.scheduleID, "task_name": schedule.taskName]
        do {
            guard try await source.preSend(schedule) else {
                logger.debug("Schedule source skipped this send", metadata: metadata)
                return
            }
            guard try await scheduler.stateStore.claim(slot, scheduleID: schedule.scheduleID) else {
                logger.debug("Slot \(slot) was already sent; not sending it again", metadata: metadata)
                return
            }
        } catch {
            logger.error("Not sending schedule '\(schedule.scheduleID)': \(error)", metadata: metadata)
            return
        }
        var labels = schedule.labels
        labels["schedule_id"] = .string(schedule.scheduleID)
        let message = TaskiqMessage(
            taskID: schedule.taskID ?? scheduler.broker.components.idGenerator(),
            taskName: schedule.taskName, labels: labels, args: schedule.args,
            kwargs: schedule.kwargs)
        do {
            try await scheduler.broker.send(message)
            let slotText = ISO8601Timestamp.format(secondsSince1970: slot.timeIntervalSince1970)
            logger.info(
                "sent \(schedule.taskName) (schedule \(schedule.scheduleID), slot \(slotText)) as \(message.taskID)",
                metadata: metadata.merging(["task_id": message.taskID]) { a, _ in a })
        } catch {
            logger.error("Cannot send scheduled task '\(schedule.taskName)': \(error)", metadata: metadata)
            return
        }
        do {
            try await source.postSend(schedule)
        } catch {
            logger.warning("Schedule source failed after sending: \(error)", metadata: metadata)
        }
    }
}

extension Date {
    func adding(_ duration: Duration) -> Date {
        addingTimeInterval(duration.inSeconds)
    }
}
