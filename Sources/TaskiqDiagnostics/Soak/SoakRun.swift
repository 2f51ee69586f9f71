import Synchronization
import Taskiq
import TaskiqConfig

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The producer side of `taskiq-run soak`: kicks ``SoakTasks/record`` with sequence numbers
/// `0..<tasks` through the main broker, then counts executions from the workers' record files.
///
/// Producers await each result before kicking the next, which bounds the tasks in flight (a
/// stream that grew without bound would measure Redis, not the workers). The verdict does not
/// rest on those results: a task counts as executed only when a worker recorded its sequence
/// number, so acknowledgements and results the system under test gets wrong cannot hide a loss.
struct SoakRun: Sendable {
    let system: TaskiqSystem
    let options: SoakOptions

    /// What the producers counted.
    private final class Counters: Sendable {
        let next = Atomic<Int>(0)
        let results = Atomic<Int>(0)
        let taskErrors = Atomic<Int>(0)
        let resultTimeouts = Atomic<Int>(0)
        let firstError = Mutex<String?>(nil)

        func note(_ error: String) {
            firstError.withLock { if $0 == nil { $0 = error } }
        }
    }

    /// Rejects configurations the soak cannot measure, before anything starts.
    func validate() throws(CommandLineError) {
        if system.isProcessLocal {
            throw CommandLineError(
                code: .invalidValue, command: "soak", argument: system.configuration.broker.type.name,
                message: "soak measures worker processes: the '\(system.configuration.broker.type.name)' "
                    + "broker runs tasks in the process that kicks them")
        }
        let backend = system.broker.resultBackend
        if backend is DummyResultBackend || backend is InMemoryResultBackend {
            throw CommandLineError(
                code: .invalidValue, command: "soak", argument: "result_backend",
                message: "soak awaits every result to bound the tasks in flight: configure a result "
                    + "backend the workers share with this process (such as redis)")
        }
        guard (try? FileSystem.kind(of: options.records)) == .directory else {
            throw CommandLineError(
                code: .invalidValue, command: "soak", argument: options.records,
                message: "'--records' names '\(options.records)', which is not a directory")
        }
    }

    func run() async throws -> SoakReport {
        try validate()
        system.broker.register(SoakTasks.module)
        try await system.startup()
        let report: SoakReport
        do {
            report = try await measure()
        } catch {
            try? await system.shutdown()
            throw error
        }
        try await system.shutdown()
        return report
    }

    private func measure() async throws -> SoakReport {
        let counters = Counters()
        // Allocated before kicking, so the producer's memory during the run already includes it.
        var ledger = SoakLedger(capacity: options.tasks)
        let clock = ContinuousClock()
        let start = clock.now
        let stopKicking = options.maxDuration.map { start + $0 }
        let failedKicks = await withBackgroundTask({ await reportProgress(counters, since: start) }) {
            await withTaskGroup(of: [Int].self) { group in
                for _ in 0..<options.effectiveConcurrency {
                    group.addTask { await produce(counters, until: stopKicking) }
                }
                var failed: [Int] = []
                for await part in group { failed += part }
                return failed.sorted()
            }
        }
        let kickSeconds = (clock.now - start).inSeconds

        let attempted = min(counters.next.load(ordering: .relaxed), options.tasks)
        let notQueued = Set(failedKicks)
        let expected = (0..<attempted).lazy.filter { !notQueued.contains($0) }
        let drainStart = clock.now
        let drainDeadline = drainStart + options.drainTimeout
        var missing: [Int]
        while true {
            try ledger.scan(directory: options.records)
            missing = ledger.missing(expected)
            if missing.isEmpty || clock.now >= drainDeadline { break }
            try await Task.sleep(for: .milliseconds(500))
        }

        var report = SoakReport()
        report.requested = options.tasks
        report.attempted = attempted
        report.kickErrors = failedKicks.count
        report.results = counters.results.load(ordering: .relaxed)
        report.taskErrors = counters.taskErrors.load(ordering: .relaxed)
        report.resultTimeouts = counters.resultTimeouts.load(ordering: .relaxed)
        report.executed = ledger.distinct
        report.duplicated = ledger.duplicated
        report.lost = missing.count
        report.lostSample = Array(missing.prefix(20))
        report.malformed = ledger.malformed + ledger.unterminatedFiles
        report.recordFiles = ledger.files
        report.kickSeconds = kickSeconds
        report.drainSeconds = (clock.now - drainStart).inSeconds
        report.firstError = counters.firstError.withLock { $0 }
        return report
    }

    /// One producer: claims sequence numbers until all are claimed or kicking time is up; kicks
    /// each and awaits its result. Returns the sequence numbers whose kick threw.
    private func produce(_ counters: Counters, until stop: ContinuousClock.Instant?) async -> [Int] {
        var failed: [Int] = []
        while stop.map({ ContinuousClock.now < $0 }) ?? true {
            let sequence = counters.next.add(1, ordering: .relaxed).oldValue
            guard sequence < options.tasks else { break }
            let handle: TaskHandle<Int>
            do {
                handle = try await SoakTasks.record.kiq(sequence)
            } catch {
                failed.append(sequence)
                counters.note("kicking \(sequence): \(error)")
                continue
            }
            do {
                let result = try await handle.waitResult(timeout: options.resultTimeout)
                if result.isErr || result.returnValue != sequence {
                    counters.taskErrors.add(1, ordering: .relaxed)
                    counters.note(
                        "task \(sequence) returned \(result.isErr ? "an error: \(String(describing: result.error))" : String(describing: result.returnValue))"
                    )
                } else {
                    counters.results.add(1, ordering: .relaxed)
                }
            } catch let error as TaskiqError where error.code == .resultTimeout {
                counters.resultTimeouts.add(1, ordering: .relaxed)
                counters.note("no result for task \(sequence) (\(handle.taskID)) within \(options.resultTimeout)")
            } catch {
                counters.taskErrors.add(1, ordering: .relaxed)
                counters.note("awaiting task \(sequence): \(error)")
            }
        }
        return failed
    }

    /// Prints a progress line every ``SoakOptions/progressInterval`` until cancelled.
    private func reportProgress(_ counters: Counters, since start: ContinuousClock.Instant) async {
        guard let interval = options.progressInterval else { return }
        var previous = 0
        while true {
            do { try await Task.sleep(for: interval) } catch { return }
            let results = counters.results.load(ordering: .relaxed)
            let kicked = min(counters.next.load(ordering: .relaxed), options.tasks)
            let elapsed = (ContinuousClock.now - start).inSeconds
            let rate = Double(results - previous) / interval.inSeconds
            previous = results
            let errors = counters.taskErrors.load(ordering: .relaxed)
            let timeouts = counters.resultTimeouts.load(ordering: .relaxed)
            Console.error(
                "soak: \(NumberText.fixed(elapsed, decimals: 0)) s, \(kicked)/\(options.tasks) kicked, \(results) results, "
                    + "\(NumberText.fixed(rate, decimals: 0)) results/s, \(errors) errors, \(timeouts) timeouts\n")
        }
    }
}
