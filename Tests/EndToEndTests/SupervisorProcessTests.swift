import Foundation
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig

#if canImport(Glibc)
import Glibc
#endif

/// Runs real `/bin/sh` workers that report `index pid` through a FIFO once they are up.
@Suite struct SupervisorProcessTests {
    /// A FIFO that workers write `TASKIQ_WORKER_INDEX pid` lines to, read on a thread.
    final class Reports: Sendable {
        let path: String
        let lines = RunnerEvents<(index: Int, pid: pid_t)>()

        init() throws {
            path = NSTemporaryDirectory() + "taskiq-supervisor-\(UUID().uuidString).fifo"
            guard mkfifo(path, 0o600) == 0 else { throw POSIXError(.init(rawValue: errno)!) }
            // Opened read-write so the reader never sees end-of-file between workers.
            let descriptor = open(path, O_RDWR | O_CLOEXEC)
            let lines = lines
            Thread {
                let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
                var buffer = Data()
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { return }
                    buffer.append(chunk)
                    while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                        let line = String(decoding: buffer[..<newline], as: UTF8.self)
                        buffer.removeSubrange(...newline)
                        if line == "done" { return }
                        let fields = line.split(separator: " ").compactMap { Int32($0) }
                        if fields.count == 2 { lines.send((Int(fields[0]), fields[1])) }
                    }
                }
            }.start()
        }

        /// A worker script: reports, then becomes `sleep` so that signals reach it directly.
        func script(ignoringTERM: Bool = false) -> [String] {
            let trap = ignoringTERM ? "trap '' TERM; " : ""
            return ["-c", "\(trap)echo \"$TASKIQ_WORKER_INDEX $$\" > '\(path)'; exec sleep 1000"]
        }

        /// The pids of the first report of each of `count` workers.
        func firstPids(_ count: Int) async throws -> [Int: pid_t] {
            var pids: [Int: pid_t] = [:]
            while pids.count < count, let report = try await lines.next() { pids[report.index] = report.pid }
            return pids
        }

        deinit {
            let descriptor = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
            if descriptor >= 0 {
                _ = "done\n".withCString { write(descriptor, $0, 5) }
                close(descriptor)
            }
            unlink(path)
        }
    }

    static func options(shutdownTimeout: Duration = .seconds(5)) -> SupervisorOptions {
        SupervisorOptions(
            workers: 2,
            backoff: SupervisorBackoff(initial: .milliseconds(10), maximum: .milliseconds(50), jitter: 0),
            shutdownTimeout: shutdownTimeout)
    }

    static func isGone(_ pid: pid_t) -> Bool {
        kill(pid, 0) == -1 && errno == ESRCH
    }

    /// Waits until child `pid` has exited, without reaping it (the supervisor does).
    static func exit(of pid: pid_t) async throws {
        try await withTimeout {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                Thread {
                    var info = siginfo_t()
                    while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == -1 && errno == EINTR {}
                    continuation.resume()
                }.start()
            }
        }
    }

    @Test func restartsAKilledWorkerAndStopsEveryWorkerOnTheFirstSignal() async throws {
        let reports = try Reports()
        let (signals, deliver) = AsyncStream<Int32>.makeStream()
        let supervisor = Supervisor(
            executable: "/bin/sh", arguments: reports.script(), options: Self.options(), signals: signals)
        let running = Task { try await supervisor.run() }

        let pids = try await reports.firstPids(2)
        #expect(pids.keys.sorted() == [0, 1])
        let killed = try #require(pids[0])
        kill(killed, SIGKILL)
        let restarted = try #require(try await reports.lines.first { $0.index == 0 })
        #expect(restarted.pid != killed)

        deliver.yield(SIGTERM)
        let status = try await withTimeout { try await running.value }
        #expect(status == 0)
        for pid in [killed, restarted.pid, pids[1]!] { #expect(Self.isGone(pid)) }
    }

    @Test func workersIgnoringTheSignalAreKilledAtTheDeadline() async throws {
        let reports = try Reports()
        let supervisor = Supervisor(
            executable: "/bin/sh", arguments: reports.script(ignoringTERM: true),
            options: Self.options(shutdownTimeout: .milliseconds(200)), signals: AsyncStream<Int32> { _ in })
        let running = Task { try await supervisor.run() }
        let pids = try await reports.firstPids(2)

        supervisor.stop()
        let status = try await withTimeout { try await running.value }
        #expect(status == 1)
        for pid in pids.values { #expect(Self.isGone(pid)) }
    }

    @Test func aSecondSignalKillsTheWorkersAtOnce() async throws {
        let reports = try Reports()
        let (signals, deliver) = AsyncStream<Int32>.makeStream()
        let supervisor = Supervisor(
            executable: "/bin/sh", arguments: reports.script(ignoringTERM: true),
            options: Self.options(shutdownTimeout: .seconds(60)), signals: signals)
        let running = Task { try await supervisor.run() }
        _ = try await reports.firstPids(2)

        deliver.yield(SIGTERM)
        deliver.yield(SIGINT)
        let status = try await withTimeout { try await running.value }
        #expect(status == 128 + SIGINT)
    }

    @Test func cancellingTheRunKillsTheWorkers() async throws {
        let reports = try Reports()
        let supervisor = Supervisor(
            executable: "/bin/sh", arguments: reports.script(ignoringTERM: true), options: Self.options(),
            signals: AsyncStream<Int32> { _ in })
        let running = Task { try await supervisor.run() }
        let pids = try await reports.firstPids(2)

        running.cancel()
        await #expect(throws: CancellationError.self) {
            try await withTimeout { try await running.value }
        }
        // SIGKILL was sent on cancellation; the workers die without any other signal.
        for pid in pids.values { try await Self.exit(of: pid) }
    }

    @Test func aWorkerThatCannotBeSpawnedFailsTheStart() async throws {
        let supervisor = Supervisor(
            executable: "/nonexistent/taskiq-worker", arguments: [], options: Self.options(),
            signals: AsyncStream<Int32> { _ in })
        let error = await #expect(throws: SupervisorError.self) {
            try await withTimeout { try await supervisor.run() }
        }
        #expect(error?.code == .spawnFailed)
        #expect(error?.message.contains("/nonexistent/taskiq-worker") == true)
    }
}
