import Foundation
import TaskiqTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Worker processes end to end over ZeroMQ push/pull on loopback: graceful stop with a task in
/// flight, and the supervisor replacing a worker killed with SIGKILL.
@Suite struct WorkerProcessTests {
    static func config(port: UInt16, workers: Int = 1) throws -> (TemporaryConfigDirectory, String) {
        let directory = try TemporaryConfigDirectory(files: [
            "zmq.json": """
            {"broker": {"type": "zeromq", "pattern": "push_pull",
                        "zmq_pub_host": "tcp://127.0.0.1:\(port)", "zmq_sub_host": "tcp://127.0.0.1:\(port)"},
             "result_backend": {"type": "dummy"},
             "tasks": {"modules": ["examples"]},
             "worker": {"workers": \(workers), "shutdown_timeout": 30, "log_level": "debug"}}
            """
        ])
        return (directory, directory.path("zmq.json"))
    }

    @Test func sigtermLetsTheTaskInFlightFinish() async throws {
        let (directory, file) = try Self.config(port: freeLoopbackPort())
        let worker = try RunningProcess(["worker", "-c", file])
        try await worker.waitForLine(containing: "connected PULL")
        // Long enough that a loaded machine still delivers the signal while the task sleeps (4 s
        // was not: in a CI run the signal came after the task had finished).
        let kick = try await TaskiqRunProcess.run(["kick", "-c", file, "examples.sleep", "15"])
        #expect(kick.status == 0, "\(kick.stderr)")
        try await worker.waitForLine(containing: "task started")
        worker.signal(SIGTERM)
        let status = try await worker.waitForExit()
        #expect(status == 0, "\(worker.lines.joined(separator: "\n"))")
        let lines = worker.lines
        let stop = lines.firstIndex { $0.contains("received SIGTERM") }
        let done = lines.firstIndex { $0.contains("task succeeded") && $0.contains("examples.sleep") }
        #expect(stop != nil && done != nil && stop! < done!, "the task finished after the signal:\n\(lines.joined(separator: "\n"))")
        _ = directory
    }

    @Test func supervisorReplacesAWorkerKilledWithSIGKILL() async throws {
        let (directory, file) = try Self.config(port: freeLoopbackPort(), workers: 2)
        let supervisor = try RunningProcess(["worker", "-c", file])
        let first = try await supervisor.waitFor("two workers ready") { lines -> [Int32]? in
            let pids = Set(lines.filter { $0.contains("worker ready") }.compactMap(loggedPID))
            return pids.count >= 2 ? Array(pids) : nil
        }
        #expect(!first.contains(supervisor.pid))
        defer {
            // Workers live in their own process groups: if the test fails before the supervisor
            // stops them, do not leave them behind.
            for line in supervisor.lines where line.contains("worker ready") {
                if let pid = loggedPID(line) { kill(pid, SIGKILL) }
            }
        }
        kill(first[0], SIGKILL)
        let replacement = try await supervisor.waitFor("a replacement worker") { lines -> Int32? in
            lines.filter { $0.contains("worker ready") }.compactMap(loggedPID).first { !first.contains($0) }
        }
        #expect(replacement != supervisor.pid)
        #expect(supervisor.lines.contains { $0.contains("SIGKILL") }, "the supervisor logs why the worker died")
        supervisor.signal(SIGTERM)
        let status = try await supervisor.waitForExit()
        #expect(status == 0, "\(supervisor.lines.joined(separator: "\n"))")
        #expect(kill(replacement, 0) != 0, "the replacement worker stopped too")
        _ = directory
    }
}
