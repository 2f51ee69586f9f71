import Taskiq
import TaskiqConfig
import TaskiqRedis

extension BenchRun {
    /// The URL of the Redis server that holds the queue; `nil` for any other broker.
    var redisURL: String? {
        (broker as? RedisStreamBroker)?.url ?? (broker as? RedisListBroker)?.url
    }

    /// Kicks every task with no worker running (`concurrency` producers, sending only), reads the
    /// broker server's memory before and after (Redis's `used_memory`, or the resident memory of the
    /// process `--broker-pid` names), then starts the workers and times the drain from their start
    /// (start-up included) to their last completion.
    func runDepth() async throws -> BenchReport {
        let memory = try BrokerMemory(pid: options.brokerPID, redisURL: redisURL)
        defer { memory.close() }
        let payload = String(repeating: "x", count: options.payloadBytes)
        let usage = ResourceUsage.current()
        let before = try await memory.bytes()
        let (_, sendSeconds, errors) = await produce(awaitingResults: false, payload: payload)
        let queued = try await memory.bytes()

        let workers = workerCount
        let startNanoseconds = BenchWorkerProbe.realtimeNanoseconds()
        let fleet = try BenchWorkerFleet.start(count: workers, configFile: configFile)
        let kickMark: @Sendable () async throws -> Void = { for _ in 0..<workers { _ = try await BenchTasks.mark.kiq() } }
        // Marks queue behind the backlog, so every worker reports only once it is nearly drained:
        // rounds without every report are waited out up to a deadline that grows with the backlog
        // (2,000 tasks/s at the least); rounds with reports that stop growing end the wait as usual.
        let expected = options.tasks - errors
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(max(120, expected / 2000))
        var previous = -1
        var stalledRounds = 0
        while stalledRounds < 3, clock.now < deadline {
            guard let reports = try? await fleet.awaitReports(timeout: options.stallTimeout, kickMark: kickMark) else {
                continue
            }
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
        let depth = BenchDepth(
            memoryBeforeBytes: before, memoryQueuedBytes: queued, queuedTasks: options.tasks - errors,
            drainSeconds: Double(max(0, last - startNanoseconds)) / 1e9, drained: executed)
        var result = report(
            seconds: depth.drainSeconds, completed: executed, errors: errors + failed,
            drops: max(0, expected - executed), latency: nil, usage: usage, end: end)
        result.sendSeconds = sendSeconds
        result.depth = depth
        if final.contains(where: { $0 == nil }) { result.notes.append("a worker process wrote no report on exit") }
        result.notes.append(
            "depth mode: every task queued with no worker running; broker memory is \(memory.what) growth; "
                + "tasks_per_s is the drain from starting \(workers) worker process"
                + "\(workers == 1 ? "" : "es") (start-up included) to the last completion")
        return result
    }
}
