import Taskiq

/// The part of the system's dynamic ``ScheduleSource`` that one broker's scheduler sends: the
/// schedules of the tasks registered with that broker, and — for the main broker — those of tasks
/// no broker here knows (a Python process may add schedules for tasks only its workers run).
///
/// It neither starts nor shuts the shared source down: the system owns it, and handles returned by
/// `schedule(..., on: system.scheduleSource)` keep using it while schedulers come and go.
struct RoutedScheduleSource: ScheduleSource {
    let source: any ScheduleSource
    let broker: any AsyncBroker
    let isMain: Bool
    let allBrokers: [any AsyncBroker]

    func schedules() async throws -> [Schedule] {
        try await source.schedules().filter { schedule in
            if broker.components.registry[schedule.taskName] != nil { return true }
            return isMain && !allBrokers.contains { $0.components.registry[schedule.taskName] != nil }
        }
    }

    func add(_ schedule: Schedule) async throws { try await source.add(schedule) }
    func remove(scheduleID: String) async throws { try await source.remove(scheduleID: scheduleID) }
    func preSend(_ schedule: Schedule) async throws -> Bool { try await source.preSend(schedule) }
    func postSend(_ schedule: Schedule) async throws { try await source.postSend(schedule) }
}
