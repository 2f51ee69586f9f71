import Foundation
import TaskiqTestSupport
import Testing

@testable import Taskiq

#if canImport(Glibc)
import Glibc
#endif

/// Every example task kicked with `taskiq-run kick --wait` on every broker, through the built
/// binary: in a release run (`scripts/test-release.sh`) this is the release `taskiq-run` as it
/// ships. Tasks of two parameters once failed on every broker in release only
/// (docs/toolchain/pack-loop.md).
@Suite(.serialized) struct ExampleTasksEndToEndTests {
    /// One `kick --wait` and what it must print.
    struct Case: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        /// The printed result, compared as JSON; `nil` when the task must fail.
        var result: JSONValue?
        /// Text the failure must contain.
        var failure: String?
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let cases: [Case] = [
        Case(arguments: ["examples.add", "1", "2"], result: 3),
        // Beyond a double's 53 bits: the integer path must stay exact end to end.
        Case(arguments: ["examples.add", "-5", "9007199254740993"], result: 9_007_199_254_740_988),
        Case(arguments: ["examples.add", "9223372036854775807", "1"], failure: "overflows Int"),
        Case(
            arguments: ["examples.echo", #"{"k": [1, 2.5, "é ✓", null, true, {"n": -0.0}]}"#],
            result: ["k": [1, 2.5, "é ✓", nil, true, ["n": -0.0]]]),
        Case(arguments: ["examples.sleep", "0.01"], result: .null),
        Case(arguments: ["examples.fib", "20"], result: 6765),
        Case(arguments: ["examples.fib", "41"], failure: "examples.fib takes n in 0...40, found 41"),
        Case(
            arguments: ["examples.crash_once", "/tmp/taskiq-crash-once-never-created"],
            failure: "examples.crash_once is disabled"),
        Case(arguments: ["examples.heartbeat"], result: .null),
        Case(arguments: ["examples.fail"], failure: "examples.fail always fails"),
    ]

    static func check(_ file: String, _ cases: [Case] = cases) async throws {
        for item in cases {
            let run = try await TaskiqRunProcess.run(["kick", "-c", file] + item.arguments + ["--wait", "--timeout", "30"])
            if let failure = item.failure {
                #expect(run.status == 1, "\(item.testDescription): \(run.stderr)")
                #expect(run.stderr.contains(failure), "\(item.testDescription): \(run.stderr)")
            } else {
                #expect(run.status == 0, "\(item.testDescription): \(run.stderr)")
                let printed = try? JSONParser().parse(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
                #expect(printed == (item.result ?? .null), "\(item.testDescription) printed \(run.stdout)")
            }
        }
    }

    @Test func inMemory() async throws {
        try await Self.check(TestPaths.example("taskiq.json"))
    }

    /// A worker process and `kick` processes sharing a broker and a Redis result backend.
    @Test(
        .enabled(if: RedisServer.shouldRun, RedisServer.skipMessage),
        .enabled(if: RabbitMQServer.shouldRun, RabbitMQServer.skipMessage),
        arguments: ["redis_stream", "redis_list", "zeromq push_pull", "zeromq pub_sub", "rabbitmq"])
    func withAWorkerProcess(broker: String) async throws {
        try await RedisServer.with { server in
            let port = freeLoopbackPort()
            let brokerJSON =
                switch broker {
                case "zeromq push_pull", "zeromq pub_sub":
                    """
                    {"type": "zeromq", "pattern": "\(broker.dropFirst(7))", "subscriber_timeout": 30,
                     "zmq_pub_host": "tcp://127.0.0.1:\(port)", "zmq_sub_host": "tcp://127.0.0.1:\(port)"}
                    """
                case "rabbitmq":
                    // A virtual host of its own on the shared node: taskiq-aio-pika's default names.
                    #"{"type": "rabbitmq", "url": "\#(try await RabbitMQServer.shared().virtualHost())", "delay": "ttl_queues"}"#
                default: #"{"type": "\#(broker)", "url": "\#(server.url)", "queue_name": "examples-e2e"}"#
                }
            let directory = try TemporaryConfigDirectory(files: [
                "system.json": """
                {"broker": \(brokerJSON),
                 "result_backend": {"type": "redis", "url": "\(server.url)"},
                 "tasks": {"modules": ["examples"]},
                 "worker": {"workers": 1, "log_level": "info"}}
                """
            ])
            let file = directory.path("system.json")
            let worker = try RunningProcess(["worker", "-c", file])
            try await worker.waitForLine(containing: "worker ready")
            try await Self.check(file)
            worker.signal(SIGTERM)
            #expect(try await worker.waitForExit() == 0, "\(worker.lines.joined(separator: "\n"))")
        }
    }
}
