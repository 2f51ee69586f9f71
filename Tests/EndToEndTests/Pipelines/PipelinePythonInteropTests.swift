import Foundation
import Taskiq
import TaskiqRedis
import TaskiqTestSupport
import Testing

/// Pipelines shared by Python taskiq-pipelines 0.1.4 and Swift over one Redis server, both ways.
///
/// Two workers: Python (`Tests/Peers/pipelines_tasks.py`, stream "py") and Swift (in this process,
/// stream "swift"), each with its pipeline middleware. Tasks are routed by their `queue_name`
/// label, which both sides keep in each step, and no task name exists on both sides, so every step
/// runs where the test says: a Python step's success makes Python's middleware send the next step
/// (perhaps to Swift), and the reverse. Each side runs the map/filter collectors of the steps it
/// acts on, so both implementations of `wait_tasks` and `filter_tasks` are exercised.
@Suite(.enabled(if: RedisServer.shouldRun && PipelinesPython.shouldRun, "\(PipelinesPython.skipMessage)"), .serialized)
struct PipelinePythonInteropTests {
    /// The Swift side: its tasks, and typed stubs of the Python tasks to build pipelines with.
    struct SwiftSide {
        let broker: RedisStreamBroker
        let square: TaskDefinition<Int, Int>
        let sum: TaskDefinition<[Int], Int>
        let pyRange: TaskDefinition<Int, [Int]>
        let pySquare: TaskDefinition<Int, Int>
        let pyIsEven: TaskDefinition<Int, Bool>
        let pySum: TaskDefinition<[Int], Int>

        init(_ server: RedisServer) throws {
            broker = try RedisStreamBroker(
                url: server.url, options: RedisStreamBrokerOptions(queueName: "swift"),
                resultBackend: try RedisResultBackend(url: server.url))
            broker.addMiddlewares([PipelineMiddleware()])
            let swift: JSONObject = ["queue_name": "swift"]
            square = broker.task("pl.swift_square", labels: swift, parameters: ["x"]) { (x: Int) async throws -> Int in x * x }
            sum = broker.task("pl.swift_sum", labels: swift, parameters: ["values"]) { (values: [Int]) async throws -> Int in
                values.reduce(0, +)
            }
            _ = broker.task("pl.swift_range", labels: swift, parameters: ["n"]) { (n: Int) async throws -> [Int] in
                Array(0..<max(0, min(n, 100)))
            }
            _ = broker.task("pl.swift_add", labels: swift, parameters: ["a", "b"]) { (a: Int, b: Int) async throws -> Int in a + b }
            _ = broker.task("pl.swift_fail", labels: swift, parameters: ["x"]) { (x: Int) async throws -> Int in
                throw TaskError(name: "ValueError", arguments: [.string("swift refuses \(x)")])
            }
            // Python's tasks: never run here (the Swift worker reads only "swift"), so not registered.
            let py: JSONObject = ["queue_name": "py"]
            pyRange = TaskDefinition("pl.py_range", labels: py, parameters: ["n"]) { (_: Int) async throws -> [Int] in [] }
            pySquare = TaskDefinition("pl.py_square", labels: py, parameters: ["x"]) { (_: Int) async throws -> Int in 0 }
            pyIsEven = TaskDefinition("pl.py_is_even", labels: py, parameters: ["x"]) { (_: Int) async throws -> Bool in false }
            pySum = TaskDefinition("pl.py_sum", labels: py, parameters: ["values"]) { (_: [Int]) async throws -> Int in 0 }
        }
    }

    /// Runs `body` with a Python and a Swift worker on a fresh Redis server.
    func withWorkers(_ body: @Sendable (RedisServer, SwiftSide) async throws -> Void) async throws {
        guard PipelinesPython.requirePeer() else { return }
        try await RedisServer.with { server in
            let python = try PythonTaskiqPeer.worker(broker: "pipelines_tasks:broker", environment: ["REDIS_URL": server.url])
            do {
                // taskiq-redis creates its consumer group at "$": wait for it before anything is sent.
                try await python.waitUntilListening()
                let side = try SwiftSide(server)
                try await side.broker.startup()
                let receiver = Receiver(broker: side.broker, options: ReceiverOptions(maxAsyncTasks: 4))
                let running = Task { try await receiver.run() }
                defer { running.cancel() }
                do {
                    try await body(server, side)
                } catch {
                    Issue.record("python worker log:\n\(python.process.lines.suffix(40).joined(separator: "\n"))")
                    receiver.stop()
                    throw error
                }
                receiver.stop()
                _ = try? await withTimeout(seconds: 10) { try await running.value }
                try await side.broker.shutdown()
                receiver.shutdown()
            } catch {
                try? await python.stop()
                throw error
            }
            try await python.stop()
        }
    }

    /// One JSON line printed by `pipelines_kick.py`.
    static func kick(_ server: RedisServer, pipeline: String) async throws -> JSONObject {
        let run = try await RedisPython.run(["pipelines_kick.py"], environment: ["REDIS_URL": server.url, "PIPELINE": pipeline])
        #expect(run.status == 0, "\(run.stderr)")
        let line = run.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let value = try JSONValue(parsing: line)
        return try #require(value.objectValue, "\(run.stdout)\n\(run.stderr)")
    }

    @Test func pythonPipelineRunsStepsOnSwiftAndSwiftSendsPythonsNextSteps() async throws {
        try await withWorkers { server, _ in
            let output = try await Self.kick(server, pipeline: "mixed")
            #expect(output["is_err"] == false, "\(output)")
            #expect(output["result"] == [0, 1])
            let steps: JSONValue = [[0, 1, 2, 3], [0, 1, 4, 9], [0, 4], 4, [0, 1, 2, 3], [0, 1, 4, 9], [0, 4], 4, 104, [0, 1]]
            #expect(output["steps"] == steps)
        }
    }

    @Test func aSwiftStepFailingInAPythonPipelineFailsThePipelineForPython() async throws {
        try await withWorkers { server, _ in
            let output = try await Self.kick(server, pipeline: "failing")
            #expect(output["is_err"] == true, "\(output)")
            #expect(output["error"]?.stringValue?.contains("swift refuses 3") == true, "\(output)")
        }
    }

    @Test func swiftPipelineRunsStepsOnPythonIncludingAGroup() async throws {
        try await withWorkers { _, side in
            // py_range(4) → Python acts map: swift_square → [0, 1, 4, 9] → Python acts filter:
            // py_is_even → [0, 4] → swift_sum = 4 → Swift acts the group: [py_square, swift_square]
            // → [16, 16] → Swift acts: py_sum = 32, stored by Python, read here.
            let handle = try await Pipeline(side.pyRange).withBroker(side.broker).map(side.square).filter(side.pyIsEven).callNext(side.sum)
                .group([side.pySquare, side.square]).callNext(side.pySum).kiq(4)
            let result = try await handle.waitResult(timeout: .seconds(60))
            #expect(result.returnValue == 32, "\(result)")

            let chord = try await Pipeline(group: [side.pySquare.call(3), side.square.call(4)]).withBroker(side.broker)
                .callNext(side.pySum).kiq()
            #expect(try await chord.waitResult(timeout: .seconds(60)).returnValue == 25)
        }
    }
}

/// Python taskiq-pipelines and taskiq-redis in `.venv`.
enum PipelinesPython {
    static let skipMessage = "Python taskiq-pipelines or taskiq-redis is not installed in .venv; run `bash scripts/install-peers.sh`"

    static let hasPeer: Bool = {
        guard FileManager.default.isExecutableFile(atPath: RedisPython.python.path) else { return false }
        let process = Process()
        process.executableURL = RedisPython.python
        process.arguments = ["-c", "import taskiq_pipelines, taskiq_redis"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    /// Runs the tests unless the peer is missing outside CI.
    static var shouldRun: Bool { hasPeer || RedisPython.isCI }

    /// Fails the test when the peer is missing (only reached under CI).
    static func requirePeer() -> Bool {
        if !hasPeer { Issue.record("Python taskiq-pipelines missing at \(RedisPython.python.path) while CI is set: \(skipMessage)") }
        return hasPeer
    }
}
