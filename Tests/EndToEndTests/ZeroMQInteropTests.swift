import Foundation
import Taskiq
import TaskiqTestSupport
import TaskiqZeroMQ
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Python taskiq 0.13's own `ZeroMQBroker` against the built `taskiq-run`, pub_sub on loopback,
/// in both directions. Programs are in `Peers/`.
@Suite(
    .enabled(
        if: PythonTaskiqPeer.shouldRun,
        "Python taskiq peer not installed; run `\(PythonTaskiqPeer.installHint)` at the package root (with CI set, this fails instead)"),
    .serialized)
struct ZeroMQInteropTests {
    static func config(port: UInt16) throws -> (TemporaryConfigDirectory, String) {
        let directory = try TemporaryConfigDirectory(files: [
            "zmq.json": """
            {"broker": {"type": "zeromq", "pattern": "pub_sub", "subscriber_timeout": 30,
                        "zmq_pub_host": "tcp://127.0.0.1:\(port)", "zmq_sub_host": "tcp://127.0.0.1:\(port)"},
             "result_backend": {"type": "dummy"},
             "tasks": {"modules": ["examples"]},
             "worker": {"workers": 1, "log_level": "debug"}}
            """
        ])
        return (directory, directory.path("zmq.json"))
    }

    /// A request for `taskiq_producer.py` and what our worker must log for it.
    struct Kick: Sendable, CustomTestStringConvertible {
        var request: String
        /// `nil` when the task must succeed; otherwise text its error must contain.
        var failure: String?
        var testDescription: String { request }
    }

    static let kicks: [Kick] = [
        Kick(request: #"{"task": "examples.add", "args": [1, 2]}"#),
        Kick(request: #"{"task": "examples.add", "kwargs": {"b": 2, "a": 1}}"#),
        // The error text shows which value reached which parameter.
        Kick(
            request: #"{"task": "examples.add", "args": [9223372036854775807, 1]}"#,
            failure: "examples.add: 9223372036854775807 + 1 overflows Int"),
        Kick(
            request: #"{"task": "examples.add", "kwargs": {"b": 1, "a": 9223372036854775807}}"#,
            failure: "examples.add: 9223372036854775807 + 1 overflows Int"),
        Kick(
            request: #"{"task": "examples.add", "kwargs": {"a": 1, "b": "two"}}"#,
            failure: #"argument 2 ('b') expected Int, found string "two""#),
    ]

    @Test func aPythonProducerKicksExamplesAddToOurWorker() async throws {
        guard PythonTaskiqPeer.requirePeer() else { return }
        let port = freeLoopbackPort()
        let (directory, file) = try Self.config(port: port)
        let producer = try PythonTaskiqPeer.script("taskiq_producer.py", [String(port)])
        try await producer.waitForLine(containing: "bound tcp://127.0.0.1:\(port)")
        let worker = try RunningProcess(["worker", "-c", file])
        // Every task message here is over 100 bytes, so taskiq sends it as several frames.
        _ = try await worker.waitFor("our SUB's handshake") { lines in
            lines.first { $0.contains("ZMTP peer ready") && $0.contains("socket_type=SUB") }
        }
        var kicked = 0
        func send(_ request: String) async throws -> String {
            try producer.send(line: request)
            kicked += 1
            let index = kicked - 1
            return try await producer.waitFor("kick \(kicked)") { lines -> String? in
                let lines = lines.filter { $0.hasPrefix("kicked ") }
                return lines.count > index ? String(lines[index].dropFirst("kicked ".count)) : nil
            }
        }

        // A libzmq PUB learns of a subscription asynchronously, and drops what it publishes before
        // (taskiq's slow joiner; nothing on the wire tells a PUB's owner). So probe with
        // examples.heartbeat until one runs; from then on the connection carries every message.
        var probes = 0
        while true {
            probes += 1
            let id = try await send(#"{"task": "examples.heartbeat"}"#)
            let ran = await worker.valueIfSoon(seconds: 1) { lines in
                lines.first { $0.contains("task succeeded") && $0.contains("task_id=\(id)") }
            }
            if ran != nil { break }
            try #require(probes < 30, "no heartbeat probe reached our worker")
        }

        var ids: [String] = []
        for kick in Self.kicks {
            let id = try await send(kick.request)
            ids.append(id)
            let outcome = try await worker.waitFor("task \(id) to finish") { lines in
                lines.first { $0.contains("task_id=\(id)") && ($0.contains("task succeeded") || $0.contains("task failed:")) }
            }
            if let failure = kick.failure {
                #expect(outcome.contains("task failed:") && outcome.contains(failure), "\(kick.request): \(outcome)")
            } else {
                #expect(
                    outcome.contains("task succeeded") && outcome.contains("task_name=examples.add"),
                    "\(kick.request): \(outcome)")
            }
        }

        // An explicit quit: EOF reaches the peer only once every copy of its stdin pipe is closed,
        // and a process spawned concurrently by another test can hold one for a while.
        try producer.send(line: "quit")
        producer.closeInput()
        try await producer.waitForLine(containing: "done")
        #expect(try await producer.waitForExit() == 0, "\(producer.lines.joined(separator: "\n"))")
        worker.signal(SIGTERM)
        #expect(try await worker.waitForExit() == 0, "\(worker.lines.joined(separator: "\n"))")
        let lines = worker.lines
        for id in ids {
            let runs = lines.filter { $0.contains("task started") && $0.contains("task_id=\(id)") }.count
            #expect(runs == 1, "task \(id) ran \(runs) times")
        }
        #expect(
            !lines.contains { $0.contains("cannot decode") || $0.contains("unknown task") },
            "\(lines.joined(separator: "\n"))")
        _ = directory
    }

    /// Unicode (with astral characters, quotes, backslash, newline), an integer beyond double
    /// precision, every JSON type and nesting: Python must see exactly what was on our command line.
    static let echoed = #"""
        {"text": "h\u00e9llo \"w\u00f6rld\" \\ \u4e16\u754c \ud83d\ude00\n", "big": 9007199254740993,
         "list": [1, -2.5, null, true, false, [], {}], "nested": {"a": {"b": ["c", "ü"]}}, "empty": ""}
        """#

    @Test func ourKickRunsOnAPythonWorker() async throws {
        guard PythonTaskiqPeer.requirePeer() else { return }
        let port = freeLoopbackPort()
        let (directory, file) = try Self.config(port: port)
        let worker = try PythonTaskiqPeer.worker(
            broker: "interop_worker:broker",
            environment: ["INTEROP_ZMQ_HOST": "tcp://127.0.0.1:\(port)"])
        do {
            // Our kick also waits for the subscription, up to subscriber_timeout.
            try await worker.waitUntilListening()

            let echo = try await TaskiqRunProcess.run(["kick", "-c", file, "examples.echo", Self.echoed])
            #expect(echo.status == 0, "\(echo.stderr)")
            let echoRecord = try await Self.executed(echo.stdout, on: worker.process)
            let sent = try JSONParser().parse(Self.echoed)
            #expect(echoRecord["task_name"] == "examples.echo")
            #expect(echoRecord["args"] == [sent])
            #expect(echoRecord["kwargs"] == [:])
            #expect(echoRecord["result"] == sent)

            let add = try await TaskiqRunProcess.run(["kick", "-c", file, "examples.add", "2", "3"])
            #expect(add.status == 0, "\(add.stderr)")
            let addRecord = try await Self.executed(add.stdout, on: worker.process)
            #expect(addRecord["task_name"] == "examples.add")
            #expect(addRecord["args"] == [2, 3])
            #expect(addRecord["result"] == 5)
        } catch {
            try? await worker.stop()
            throw error
        }
        try await worker.stop()
        let executed = worker.process.lines.filter { $0.hasPrefix("executed ") }
        #expect(executed.count == 2, "each task ran once:\n\(worker.process.lines.joined(separator: "\n"))")
        _ = directory
    }

    /// The `executed {...}` record the Python worker printed for the task ID `kick` printed.
    static func executed(_ kickOutput: String, on worker: RunningProcess) async throws -> JSONObject {
        let id = kickOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(id.count == 32, "kick prints the task ID: \(kickOutput)")
        let line = try await worker.waitForLine(containing: #"executed {"task_id": "\#(id)""#)
        let record = try JSONParser().parse(String(line.dropFirst("executed ".count)))
        guard case .object(let object) = record else {
            Issue.record("not a JSON object: \(line)")
            return [:]
        }
        return object
    }
}
