import Synchronization
import Taskiq
import TaskiqConfig
import TaskiqZeroMQ

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One `taskiq-run bench` run against an assembled system.
///
/// Producers run in this process and kick ``BenchTasks/noop`` through the main broker. A broker
/// that runs tasks in-process (in-memory) needs nothing else; for any other the bench starts
/// worker processes of this executable. Latency is kick → result, read through the configured
/// result backend when this process can see the workers' results; otherwise (ZeroMQ with the dummy
/// backend) the producers only send, and the workers' own counts give completions and drops.
struct BenchRun: Sendable {
    let system: TaskiqSystem
    let options: BenchOptions
    let configFile: String

    var broker: any AsyncBroker { system.broker }
    var brokerType: String { system.configuration.broker.type.name }
    /// Whether results can be awaited here: the broker runs tasks here, or the backend is shared.
    var awaitsResults: Bool {
        if system.isProcessLocal { return true }
        let backend = broker.resultBackend
        return !(backend is DummyResultBackend || backend is InMemoryResultBackend)
    }

    /// Problems with the options for this system, found before anything starts.
    func validate() throws(CommandLineError) {
        if options.mode == .memory, !system.isProcessLocal {
            throw CommandLineError(
                code: .invalidValue, command: "bench", argument: "memory",
                message: "'--mode memory' measures tasks held in this process: it needs the in-memory broker")
        }
        if options.mode == .depth, system.isProcessLocal {
            throw CommandLineError(
                code: .invalidValue, command: "bench", argument: "depth",
                message: "'--mode depth' queues tasks in a broker server with no worker running: the in-memory "
                    + "broker runs tasks in this process (use '--mode memory')")
        }
        if options.mode == .depth, redisURL == nil, options.brokerPID == nil {
            throw CommandLineError(
                code: .invalidValue, command: "bench", argument: "depth",
                message: "'--mode depth' reads the memory of the server that holds the queue: a \(brokerType) "
                    + "broker needs '--broker-pid PID', the server's process on this machine (Redis brokers read "
                    + "used_memory)")
        }
        if let pid = options.brokerPID, BrokerMemory.residentBytes(of: pid) == nil {
            throw CommandLineError(
                code: .invalidValue, command: "bench", argument: "\(pid)",
                message: "--broker-pid \(pid): cannot read /proc/\(pid)/status, or no VmRSS in it (no such process on "
                    + "this machine?)")
        }
        if options.workers != nil, system.isProcessLocal {
            throw CommandLineError(
                code: .invalidValue, command: "bench", argument: "workers",
                message: "'--workers' starts worker processes: the in-memory broker runs tasks in this process")
        }
        if system.isProcessLocal, let backend = broker.resultBackend as? InMemoryResultBackend,
            backend.maxStoredResults >= 0, options.mode != .openLoop, options.effectiveConcurrency * 2 > backend.maxStoredResults
        {
            throw CommandLineError(
                code: .invalidValue, command: "bench", argument: String(options.concurrency),
                message: "'--concurrency' \(options.effectiveConcurrency) is more than half the in-memory result "
                    + "backend's max_stored_results (\(backend.maxStoredResults)): results could be evicted before "
                    + "they are read; lower it or raise max_stored_results")
        }
    }

    func run() async throws -> BenchReport {
        try validate()
        broker.register(BenchTasks.module)
        try await system.startup()
        do {
            let report =
                switch options.mode {
                case .memory: try await runMemory()
                case .depth: try await runDepth()
                default: try await system.isProcessLocal ? runInProcess() : runWithWorkers()
                }
            try await system.shutdown()
            return report
        } catch {
            try? await system.shutdown()
            throw error
        }
    }

    private func runInProcess() async throws -> BenchReport {
        let payload = String(repeating: "x", count: options.payloadBytes)
        _ = try await BenchTasks.noop.kiq(payload).waitResult(timeout: .seconds(10))  // warm up
        let usage = ResourceUsage.current()
        let (samples, seconds, errors, sendSeconds) = await produceForMode(awaitingResults: true, payload: payload)
        let end = ResourceUsage.current()
        var result = report(
            seconds: seconds, completed: max(0, options.tasks - errors), errors: errors, drops: 0,
            latency: LatencySummary(nanoseconds: samples), usage: usage, end: end)
        result.sendSeconds = sendSeconds
        return result
    }

    /// Kicks every task to ``BenchTasks/hold``, waits until the runners (`max_async_tasks`) are
    /// all parked at the gate and the rest queued behind them, and divides the growth of resident
    /// memory by the number of tasks.
    private func runMemory() async throws -> BenchReport {
        let payload = String(repeating: "x", count: options.payloadBytes)
        _ = try await BenchTasks.noop.kiq(payload).waitResult(timeout: .seconds(10))  // warm up
        let gate = BenchGate.shared
        gate.reset()
        let usage = ResourceUsage.current()
        let before = ResourceUsage.residentBytes()
        let clock = ContinuousClock()
        let start = clock.now
        var errors = 0
        for _ in 0..<options.tasks {
            do { _ = try await BenchTasks.hold.kiq(payload) } catch { errors += 1 }
        }
        let kicked = options.tasks - errors
        let runners = system.workerSettings.maxAsyncTasks
        let parked = runners > 0 ? min(kicked, runners) : kicked
        let deadline = clock.now + options.stallTimeout
        while gate.arrivals < parked, clock.now < deadline { try await Task.sleep(for: .milliseconds(1)) }
        let held = ResourceUsage.residentBytes()
        let seconds = (clock.now - start).inSeconds
        gate.open()
        await (broker as? InMemoryBroker)?.waitAll()
        var result = report(
            seconds: seconds, completed: gate.arrivals, errors: errors + kicked - gate.arrivals,
            drops: 0, latency: nil, usage: usage, end: ResourceUsage.current())
        result.bytesPerQueuedTask = Double(held - before) / Double(max(1, kicked))
        result.notes.append(
            "memory mode: resident memory growth with every task kicked, max_async_tasks of them "
                + "running (held at a gate) and the rest queued, divided by the tasks; the time is kicking plus reaching the gate")
        return result
    }

    private func runWithWorkers() async throws -> BenchReport {
        let workers = workerCount
        let pubSub = (broker as? ZeroMQBroker)?.pattern == .pubSub
        let payload = String(repeating: "x", count: options.payloadBytes)
        let usage = ResourceUsage.current()
        let fleet = try BenchWorkerFleet.start(count: workers, configFile: configFile)
        let marks = pubSub ? 1 : workers
        let kickMark: @Sendable () async throws -> Void = { for _ in 0..<marks { _ = try await BenchTasks.mark.kiq() } }
        do {
            guard try await fleet.awaitReports(timeout: .seconds(30), kickMark: kickMark) != nil else {
                throw TaskiqError(.sendFailed, "the bench's worker processes did not start within 30 s")
            }
        } catch {
            _ = await fleet.stop()
            throw error
        }
        let startNanoseconds = BenchWorkerProbe.realtimeNanoseconds()
        let waitResults = awaitsResults
        let (samples, producedSeconds, errors, openLoopSendSeconds) = await produceForMode(
            awaitingResults: waitResults,
            payload: payload)
        let sendSeconds = openLoopSendSeconds ?? producedSeconds

        // Ask until the workers' counts stop growing: ZeroMQ may have dropped some. A mark that
        // cannot be sent counts as no report, so the loop still ends and the workers are stopped;
        // their exit reports are authoritative anyway.
        let expected = (pubSub ? workers : 1) * options.tasks
        var previous = -1
        var stalledRounds = 0
        while stalledRounds < 3 {
            let reports = (try? await fleet.awaitReports(timeout: .seconds(5), kickMark: kickMark)) ?? []
            let executed = reports.reduce(0) { $0 + $1.executed }
            if executed >= expected { break }
            stalledRounds = executed == previous ? stalledRounds + 1 : 0
            previous = executed
        }
        let workerPeak = fleet.peakResidentBytes()
        let final = await fleet.stop()
        var end = ResourceUsage.current()
        if let workerPeak { end.childrenPeakRSSBytes = workerPeak }
        let executed = final.reduce(0) { $0 + ($1?.executed ?? 0) }
        let failed = final.reduce(0) { $0 + ($1?.failed ?? 0) }
        let last = final.compactMap { $0?.lastCompletionNanoseconds }.max() ?? startNanoseconds
        var result = report(
            seconds: waitResults ? producedSeconds : Double(max(0, last - startNanoseconds)) / 1e9,
            completed: waitResults ? max(0, options.tasks - errors) : executed,  // errors include unfinished tasks
            errors: errors + (waitResults ? 0 : failed), drops: max(0, expected - executed),
            latency: waitResults ? LatencySummary(nanoseconds: samples) : nil, usage: usage, end: end)
        result.sendSeconds = waitResults ? openLoopSendSeconds : sendSeconds
        if final.contains(where: { $0 == nil }) { result.notes.append("a worker process wrote no report on exit") }
        if !waitResults {
            result.notes.append(
                "no result backend shared with the workers: tasks_per_s counts the workers' "
                    + "executions up to their last completion; latency is not measured")
        }
        if result.drops > 0 {
            result.notes.append(
                "drops are tasks no bench worker ran (ZeroMQ has no acknowledgements); a task taken "
                    + "by any other process connected to \(configFile)'s broker also counts as dropped")
        }
        if pubSub && workers > 1 { result.notes.append("pub_sub: each of the \(workers) workers runs every task") }
        return result
    }

    /// Runs the producers: `effectiveConcurrency` loops that claim task indexes until all are
    /// claimed, each kicking one task and, when awaiting results, waiting for it before the next.
    /// - Returns: Per-task latencies in nanoseconds (kick → result, or the kick alone), the wall
    ///   time, and the number of errors.
    func produce(awaitingResults: Bool, payload: String) async -> (samples: [UInt64], seconds: Double, errors: Int) {
        let counters = BenchCounters()
        let total = options.tasks
        let producers = options.effectiveConcurrency
        let clock = ContinuousClock()
        let start = clock.now
        let progress = BenchProgress(
            counters: counters, total: total, label: awaitingResults ? "tasks" : "sent",
            stallTimeout: options.stallTimeout)
        // The producers and the stall watch race in one group: whichever ends first cancels the
        // other (a stall cancels the producers, which return the samples they have).
        let samples = await withTaskGroup(of: [UInt64]?.self) { race in
            race.addTask {
                await withTaskGroup(of: [UInt64].self) { group in
                    for _ in 0..<producers {
                        group.addTask {
                            var samples: [UInt64] = []
                            samples.reserveCapacity(total / producers + 1)
                            while !Task.isCancelled, counters.claim(below: total) != nil {
                                let kicked = clock.now
                                do {
                                    let handle = try await BenchTasks.noop.kiq(payload)
                                    if awaitingResults, try await handle.waitResult().isErr {
                                        counters.errors.add(1, ordering: .relaxed)
                                    }
                                } catch {
                                    counters.errors.add(1, ordering: .relaxed)
                                }
                                let (seconds, attoseconds) = (clock.now - kicked).components
                                samples.append(UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000))
                                counters.finished.add(1, ordering: .relaxed)
                            }
                            return samples
                        }
                    }
                    var all: [UInt64] = []
                    all.reserveCapacity(total)
                    for await samples in group { all += samples }
                    return all
                }
            }
            race.addTask {
                await progress.watch {}
                return nil
            }
            var samples: [UInt64] = []
            for await result in race {
                if let result { samples = result }
                race.cancelAll()
            }
            return samples
        }
        let seconds = (clock.now - start).inSeconds
        let unfinished = total - samples.count
        return (samples, seconds, counters.errors.load(ordering: .relaxed) + unfinished)
    }

    func report(
        seconds: Double, completed: Int, errors: Int, drops: Int, latency: LatencySummary?,
        usage: ResourceUsage, end: ResourceUsage
    ) -> BenchReport {
        var report = BenchReport(
            broker: brokerType, mode: options.mode.rawValue, tasks: options.tasks,
            concurrency: options.effectiveConcurrency, payloadBytes: options.payloadBytes, seconds: seconds,
            completed: completed, errors: errors, drops: drops, latency: latency, sendSeconds: nil,
            cpuSeconds: end.cpuSeconds(since: usage), selfPeakRSSBytes: end.selfPeakRSSBytes,
            workerPeakRSSBytes: end.childrenPeakRSSBytes)
        if options.mode == .openLoop { report.targetRate = options.rate }
        return report
    }

    /// Worker processes to start: `--workers`, else the file's `worker.workers`.
    var workerCount: Int { options.workers ?? max(1, system.workerSettings.workers) }

    /// The producers of the mode: closed-loop ``produce(awaitingResults:payload:)``, or the
    /// open-loop schedule, which also says when the last task was kicked.
    func produceForMode(awaitingResults: Bool, payload: String) async
        -> (samples: [UInt64], seconds: Double, errors: Int, sendSeconds: Double?)
    {
        if options.mode == .openLoop, let rate = options.rate {
            return await produceOpenLoop(awaitingResults: awaitingResults, payload: payload, rate: rate)
        }
        let (samples, seconds, errors) = await produce(awaitingResults: awaitingResults, payload: payload)
        return (samples, seconds, errors, nil)
    }
}
