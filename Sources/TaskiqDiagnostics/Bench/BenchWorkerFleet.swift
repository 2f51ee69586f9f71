import Synchronization
import Taskiq
import TaskiqConfig

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The worker processes a bench starts for a broker that does not run tasks in-process: the same
/// executable running `worker -c FILE`, each told by ``BenchWorkerProbe/reportVariable`` where to
/// report.
final class BenchWorkerFleet: Sendable {
    private let children: [ChildProcess]
    private let exits: AsyncStream<Int>
    /// Each worker's report file.
    let reportPaths: [String]

    private init(children: [ChildProcess], exits: AsyncStream<Int>, reportPaths: [String]) {
        self.children = children
        self.exits = exits
        self.reportPaths = reportPaths
    }

    /// Starts `count` workers on `configFile`, logging at warning level so their output stays readable.
    static func start(count: Int, configFile: String) throws -> BenchWorkerFleet {
        let base = FileSystem.path(
            "taskiq-bench-\(CurrentProcess.id)-\(UInt32.random(in: 0...UInt32.max))",
            in: FileManager.default.temporaryDirectory.path)
        let (exits, exited) = AsyncStream<Int>.makeStream()
        var environment = ProcessInfo.processInfo.environment
        var children: [ChildProcess] = []
        var paths: [String] = []
        for index in 0..<count {
            let path = "\(base).\(index).json"
            FileSystem.remove(path)
            environment[BenchWorkerProbe.reportVariable] = path
            let child = try ChildProcess.spawn(
                index: index, executable: Supervisor.currentExecutable,
                // One process each: with the file's `workers` above 1, `worker` would supervise that many more.
                arguments: ["worker", "-c", configFile, "--workers", "1", "--log-level", "warning"], environment: environment,
                onExit: { child, _ in exited.yield(child.index) })
            children.append(child)
            paths.append(path)
        }
        return BenchWorkerFleet(children: children, exits: exits, reportPaths: paths)
    }

    /// Every worker's report, or `nil` for those that have not written one.
    var reports: [BenchWorkerReport?] { reportPaths.map { BenchWorkerReport(contentsOf: $0) } }

    /// Removes the report files so the next mark's reports are fresh.
    func clearReports() {
        for path in reportPaths { FileSystem.remove(path) }
    }

    /// Kicks marks (again every 200 ms, as pub/sub may not have every subscriber yet and push/pull
    /// deals them round-robin) until every worker has reported or `timeout` passes.
    func awaitReports(timeout: Duration, kickMark: @Sendable () async throws -> Void) async throws -> [BenchWorkerReport]? {
        clearReports()
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            try await kickMark()
            let retry = min(clock.now + .milliseconds(200), deadline)
            while clock.now < retry {
                let reports = self.reports
                if reports.allSatisfy({ $0 != nil }) { return reports.compactMap { $0 } }
                try await Task.sleep(for: .milliseconds(2))
            }
        }
        return nil
    }

    /// The largest peak resident set (`VmHWM`) among the running workers, in bytes; `nil` where
    /// `/proc` cannot tell.
    ///
    /// Read before ``stop()`` instead of taking `RUSAGE_CHILDREN`'s `ru_maxrss`: Linux carries a
    /// process's peak across `execve`, so a worker spawned by a bench that had grown (depth mode
    /// spawns its workers after kicking a million tasks) would report the bench's peak as its own.
    func peakResidentBytes() -> Int? {
        let peaks = children.compactMap { child -> Int? in
            guard let status = try? String(contentsOfFile: "/proc/\(child.pid)/status", encoding: .utf8) else { return nil }
            for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
                return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }.map { $0 * 1024 }
            }
            return nil
        }
        return peaks.max()
    }

    /// Sends SIGTERM, waits for every worker to exit (reaped, so their usage counts as children's),
    /// and returns the reports they wrote on exit.
    func stop() async -> [BenchWorkerReport?] {
        clearReports()
        for child in children { child.signal(ProcessSignal.terminate) }
        let children = self.children
        await withBackgroundTask({
            try? await Task.sleep(for: .seconds(30))
            if !Task.isCancelled { for child in children { child.signal(ProcessSignal.kill) } }
        }) {
            var remaining = children.count
            for await _ in exits {
                remaining -= 1
                if remaining == 0 { break }
            }
        }
        defer { clearReports() }
        return reports
    }
}
