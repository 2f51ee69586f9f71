#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Sends scheduled tasks through a broker at their cron, interval and one-off times.
///
/// ```swift
/// let scheduler = Scheduler(broker: broker, sources: [LabelScheduleSource(broker: broker), dynamic])
/// try await scheduler.run()   // until the task is cancelled
/// ```
///
/// The loop reads the sources, works out each schedule's next slot, sleeps on the ``SchedulerClock``
/// until the earliest, and sends what is due with `broker.send(_:)` (so middlewares run), adding the
/// label `schedule_id` and reusing the schedule's fixed task ID when it has one.
///
/// **Slots.** A cron schedule's slots are its fire times (see ``CronExpression/next(after:in:)`` for
/// daylight-saving changes). An interval schedule fires as soon as it is first seen, then every
/// interval. A one-off schedule fires once when due (at once if already past) and is then done.
/// A slot is sent on time only if it is later than the instant the scheduler started (or took the
/// lease); earlier ones since the last recorded slot are missed and the ``CatchUpPolicy`` decides.
/// A scheduler that wakes late (a stalled process) sends each due schedule once, not once per slot.
///
/// **Never twice.** Before sending a slot the scheduler claims it in the ``SchedulerStateStore``;
/// a slot already claimed (before a restart, or by another scheduler) is not sent again. Only the
/// holder of the ``SchedulerLease`` sends; the others stand by.
///
/// A failing source, store or send is logged and never stops the loop.
public final class Scheduler: Sendable {
    let broker: any AsyncBroker
    let sources: [any ScheduleSource]
    let options: SchedulerOptions
    let clock: any SchedulerClock
    let stateStore: any SchedulerStateStore
    let lease: any SchedulerLease
    let logger: Logger

    /// Creates a scheduler.
    /// - Parameters:
    ///   - broker: Where messages are sent.
    ///   - sources: Where schedules come from; when two sources have a schedule with the same ID, the first wins.
    ///   - options: Catch-up policy and intervals.
    ///   - clock: The time source (the system clock; `ManualClock` (TaskiqTestSupport) in tests).
    ///   - stateStore: Where the last sent slot of each schedule is recorded (in memory by default).
    ///   - lease: Who may send (always this scheduler by default).
    ///   - logger: Where sends and failures are logged.
    public init(
        broker: any AsyncBroker, sources: [any ScheduleSource], options: SchedulerOptions = SchedulerOptions(),
        clock: any SchedulerClock = SystemSchedulerClock(),
        stateStore: any SchedulerStateStore = InMemorySchedulerStateStore(),
        lease: any SchedulerLease = LocalSchedulerLease(),
        logger: Logger = Logger(label: "taskiq.scheduler")
    ) {
        self.broker = broker
        self.sources = sources
        self.options = options
        self.clock = clock
        self.stateStore = stateStore
        self.lease = lease
        self.logger = logger
    }

    /// Runs until the task is cancelled, then releases the lease and shuts the sources down.
    ///
    /// Returns normally on cancellation.
    /// - Throws: The error of a source's `startup()`; sources started before it are shut down.
    public func run() async throws {
        var started: [any ScheduleSource] = []
        do {
            for source in sources {
                try await source.startup()
                started.append(source)
            }
        } catch {
            await Self.shielded { [started] in
                for source in started { try? await source.shutdown() }
            }
            throw error
        }
        var loop = SchedulerLoop(scheduler: self)
        do {
            try await loop.run()
        } catch is CancellationError {
        } catch {
            await stop(holding: loop.holding)
            throw error
        }
        await stop(holding: loop.holding)
    }

    /// Releases the lease and shuts the sources down, even when the calling task is cancelled.
    private func stop(holding: Bool) async {
        let lease = lease
        let sources = sources
        let logger = logger
        await Self.shielded {
            if holding {
                do { try await lease.release() } catch { logger.warning("Cannot release the scheduler lease: \(error)") }
            }
            for source in sources {
                do { try await source.shutdown() } catch { logger.warning("Cannot shut a schedule source down: \(error)") }
            }
        }
    }

    /// Runs `body` in a task that the caller's cancellation does not reach, and waits for it:
    /// cleanup after the scheduler is cancelled (releasing the lease, shutting sources down)
    /// must still make its round trips. Awaited, so it never outlives the caller.
    private static func shielded(_ body: @escaping @Sendable () async -> Void) async {
        await Task { await body() }.value
    }
}
