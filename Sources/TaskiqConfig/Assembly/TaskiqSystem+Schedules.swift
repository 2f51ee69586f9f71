import Taskiq

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension TaskiqSystem {
    /// The origin ``ScheduleSummary/origin`` gives schedules from a task's `schedule` label.
    static let labelOrigin = "schedule label"

    /// The configured schedules of the tasks registered with a broker, each with its task's labels
    /// (without `schedule`) under its own, so a task's `timeout` or `retry_on_error` applies to its
    /// scheduled runs as to kicks; labels written in the schedule win.
    /// - Parameter name: `default` or a key of `brokers`.
    public func configuredSchedules(broker name: String) -> [(schedule: Schedule, path: String)] {
        guard let broker = broker(named: name) else { return [] }
        return configuration.schedules.compactMap { configured in
            guard let task = broker.components.registry[configured.schedule.taskName] else { return nil }
            var labels = task.labels
            labels["schedule"] = nil
            for (key, value) in configured.schedule.labels { labels[key] = value }
            let written = configured.schedule
            let schedule = Schedule(
                task: written.taskName, trigger: written.trigger, args: written.args,
                kwargs: written.kwargs, labels: labels, taskID: written.taskID,
                scheduleID: configured.explicitScheduleID)
            return (schedule, configured.path)
        }
    }

    /// The names of the brokers that have schedules, from the file or from their tasks' `schedule`
    /// labels; every broker when ``scheduleSource`` is shared (Redis), since other processes may add
    /// schedules for any of them at run time.
    public var scheduledBrokerNames: [String] {
        hasSharedScheduleSource ? brokerNames : brokerNamesWithWrittenSchedules
    }

    /// The names of the brokers that have schedules in the file or in their tasks' `schedule` labels.
    var brokerNamesWithWrittenSchedules: [String] {
        zip(brokerNames, brokers).compactMap { name, broker in
            let labelled = broker.components.registry.all.contains { $0.labels["schedule"] != nil }
            return labelled || !configuredSchedules(broker: name).isEmpty ? name : nil
        }
    }

    /// One ``/Taskiq/Scheduler`` per broker that has schedules (see ``scheduledBrokerNames``),
    /// reading the file's schedules first (so they win over a task label with the same schedule
    /// ID), then the tasks' `schedule` labels, then the dynamic schedules of ``scheduleSource`` for
    /// that broker's tasks (for the main broker, also those of tasks no broker here registers).
    ///
    /// Each gets the `scheduler` section's options and its own lease and state store, built from
    /// `scheduler.lease` and `scheduler.state_store` (``/Taskiq/LocalSchedulerLease`` and
    /// ``/Taskiq/InMemorySchedulerStateStore`` when absent).
    /// - Parameters:
    ///   - names: The brokers whose schedules to send; every broker with schedules when `nil`.
    ///   - clock: The time source.
    /// - Throws: ``ConfigError`` when a lease or state-store factory fails.
    public func makeSchedulers(
        brokers names: [String]? = nil,
        clock: any SchedulerClock = SystemSchedulerClock()
    ) throws(ConfigError) -> [Scheduler] {
        let settings = configuration.scheduler
        var schedulers: [Scheduler] = []
        for name in scheduledBrokerNames where names?.contains(name) ?? true {
            guard let broker = broker(named: name) else { continue }
            var lease: any SchedulerLease = LocalSchedulerLease()
            if let component = settings.lease, case .schedulerLease(let made) = try component.make() { lease = made }
            var stateStore: any SchedulerStateStore = InMemorySchedulerStateStore()
            if let component = settings.stateStore, case .schedulerStateStore(let made) = try component.make() { stateStore = made }
            var logger = Logger(label: "taskiq.scheduler")
            if brokers.count > 1 { logger[metadataKey: "broker"] = name }
            let configured = InMemoryScheduleSource(configuredSchedules(broker: name).map(\.schedule))
            let dynamic = RoutedScheduleSource(
                source: scheduleSource, broker: broker,
                isMain: name == TaskiqConfiguration.defaultBrokerName, allBrokers: brokers)
            schedulers.append(
                Scheduler(
                    broker: broker, sources: [configured, LabelScheduleSource(broker: broker, logger: logger), dynamic],
                    options: settings.schedulerOptions, clock: clock, stateStore: stateStore, lease: lease, logger: logger))
        }
        return schedulers
    }

    /// Every schedule with its broker, origin and first fire time for a scheduler starting at `now`,
    /// in the order the schedulers read them.
    public func scheduleSummaries(startingAt now: Date = Date()) async -> [ScheduleSummary] {
        var summaries: [ScheduleSummary] = []
        var seen: Set<String> = []
        for name in scheduledBrokerNames {
            guard let broker = broker(named: name) else { continue }
            var entries = configuredSchedules(broker: name).map { ($0.schedule, $0.path) }
            if let labelled = try? await LabelScheduleSource(broker: broker).schedules() {
                entries += labelled.map { ($0, Self.labelOrigin) }
            }
            for (schedule, origin) in entries where seen.insert(schedule.scheduleID).inserted {
                summaries.append(
                    ScheduleSummary(
                        schedule: schedule, broker: name, origin: origin,
                        firstFireTime: ScheduleSummary.firstFireTime(of: schedule, startingAt: now)))
            }
        }
        return summaries
    }

    /// Checks every task's `schedule` label, so a broken one fails at start-up instead of being
    /// skipped with a log line at every read.
    func validateScheduleLabels() throws(ConfigError) {
        for broker in brokers {
            do {
                try LabelScheduleSource(broker: broker).validate()
            } catch {
                throw ConfigError(
                    .invalidSchedule, file: configuration.file, path: "tasks",
                    "invalid schedule label: \(error.description)")
            }
        }
    }
}
