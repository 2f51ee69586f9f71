import Taskiq
import TaskiqConfig

extension BenchRun {
    /// Kicks task `i` at `start + i / rate` whether or not earlier tasks have finished, each in its
    /// own child task, and measures each latency from the moment the task was *due*: a kick that
    /// goes out late because the system is saturated counts its lateness, instead of the
    /// producer quietly slowing down to the system's pace (coordinated omission).
    /// - Returns: Latencies in nanoseconds (due → result, or due → kicked when results are not
    ///   awaited), the wall time to the last completion, errors (unfinished tasks included) and
    ///   the time the schedule took to kick everything.
    func produceOpenLoop(awaitingResults: Bool, payload: String, rate: Double) async
        -> (samples: [UInt64], seconds: Double, errors: Int, sendSeconds: Double?)
    {
        let counters = BenchCounters()
        let total = options.tasks
        let buffer = BenchSampleBuffer(count: total)
        let clock = ContinuousClock()
        let interval = 1e9 / rate
        let progress = BenchProgress(
            counters: counters, total: total, label: awaitingResults ? "tasks" : "sent",
            stallTimeout: options.stallTimeout)
        let start = clock.now
        // The schedule and the stall watch race as in the closed loop; the schedule's child says
        // how long kicking took.
        let sendSeconds = await withTaskGroup(of: Double?.self) { race in
            race.addTask {
                await withDiscardingTaskGroup { group in
                    for index in 0..<total {
                        if Task.isCancelled { break }
                        let due = start + .nanoseconds(Int64(Double(index) * interval))
                        if due > clock.now { try? await Task.sleep(until: due, clock: clock) }
                        group.addTask {
                            do {
                                let handle = try await BenchTasks.noop.kiq(payload)
                                if awaitingResults, try await handle.waitResult().isErr {
                                    counters.errors.add(1, ordering: .relaxed)
                                }
                            } catch {
                                counters.errors.add(1, ordering: .relaxed)
                            }
                            let (seconds, attoseconds) = (clock.now - due).components
                            buffer.store(
                                UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000),
                                at: index)
                            counters.finished.add(1, ordering: .relaxed)
                        }
                    }
                    return (clock.now - start).inSeconds
                }
            }
            race.addTask {
                await progress.watch {}
                return nil
            }
            var sendSeconds: Double?
            for await result in race {
                if let result { sendSeconds = result }
                race.cancelAll()
            }
            return sendSeconds
        }
        let seconds = (clock.now - start).inSeconds
        let samples = buffer.written
        return (samples, seconds, counters.errors.load(ordering: .relaxed) + total - samples.count, sendSeconds)
    }
}
