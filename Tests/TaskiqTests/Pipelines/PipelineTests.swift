import Testing

@testable import Taskiq

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Pipelines on the in-memory broker: every step kind, groups, errors and the wire form.
@Suite struct PipelineTests {
    /// The tasks the tests chain; their types decide which pipelines compile.
    struct Tasks {
        let add: TaskDefinition<Int, Int, Int>
        let range: TaskDefinition<Int, [Int]>
        let square: TaskDefinition<Int, Int>
        let isEven: TaskDefinition<Int, Bool>
        let sum: TaskDefinition<[Int], Int>
        let scale: TaskDefinition<Int, Int, Int>
        let fail: TaskDefinition<Int, Int>
        let answer: TaskDefinition<Int>
        let identity: TaskDefinition<Int, Int>

        init(_ broker: any AsyncBroker) {
            add = broker.task("p.add", parameters: ["a", "b"]) { (a: Int, b: Int) async throws -> Int in a + b }
            range = broker.task("p.range", parameters: ["n"]) { (n: Int) async throws -> [Int] in Array(0..<max(0, min(n, 1000))) }
            square = broker.task("p.square", parameters: ["x"]) { (x: Int) async throws -> Int in x * x }
            isEven = broker.task("p.is_even", parameters: ["x"]) { (x: Int) async throws -> Bool in x % 2 == 0 }
            sum = broker.task("p.sum", parameters: ["values"]) { (values: [Int]) async throws -> Int in values.reduce(0, +) }
            scale = broker.task("p.scale", parameters: ["x", "factor"]) { (x: Int, factor: Int) async throws -> Int in x * factor }
            fail = broker.task("p.fail", parameters: ["x"]) { (x: Int) async throws -> Int in
                throw TaskError(name: "ValueError", arguments: [.string("bad \(x)")])
            }
            answer = broker.task("p.answer") { () async throws -> Int in 42 }
            identity = broker.task("p.identity", parameters: ["x"]) { (x: Int) async throws -> Int in x }
        }
    }

    static func broker(maxAsyncTasks: Int = 10) -> InMemoryBroker {
        let broker = InMemoryBroker(maxAsyncTasks: maxAsyncTasks)
        broker.addMiddlewares([PipelineMiddleware()])
        return broker
    }

    @Test func callNextMapFilterChainRunsEveryStep() async throws {
        let broker = Self.broker()
        let t = Tasks(broker)
        // add(1, 2) = 3 → range → [0, 1, 2] → square → [0, 1, 4] → even → [0, 4] → sum = 4 → ×10
        let handle = try await Pipeline(t.add).callNext(t.range).map(t.square).filter(t.isEven)
            .callNext(t.sum).callNext(t.scale, 10).kiq(1, 2)
        let result = try await handle.waitResult(timeout: .seconds(30))
        #expect(result.returnValue == 40)
        #expect(!result.isErr)
    }

    /// The Pipelines article's example (Taskiq.docc/Pipelines.md), as written there.
    @Test func readmeExample() async throws {
        let broker = Self.broker()
        let t = Tasks(broker)
        let (add, range, square, isEven, scale, sum) = (t.add, t.range, t.square, t.isEven, t.scale, t.sum)
        let report = broker.task("p.report") { () async throws -> String in "done" }
        let double = broker.task("p.double", parameters: ["x"]) { (x: Int) async throws -> Int in x * 2 }
        let handle = try await Pipeline(add)
            .callNext(range)
            .map(square)
            .filter(isEven)
            .callNext(sum)
            .callNext(scale, 10)
            .callAfter(report)
            .kiq(1, 2)
        let value = try await handle.waitResult(timeout: .seconds(30)).get()
        #expect(value == "done")
        let total = try await Pipeline(add).group([square, double]).callNext(sum).kiq(2, 3)
        #expect(try await total.waitResult(timeout: .seconds(30)).get() == 35)
        let chord = try await Pipeline(group: [add.call(1, 2), add.call(3, 4)]).callNext(sum).kiq()
        #expect(try await chord.waitResult(timeout: .seconds(30)).get() == 10)
    }

    @Test func mapAndFilterReturnListsTypedByTheirTasks() async throws {
        let broker = Self.broker()
        let t = Tasks(broker)
        let mapped = try await Pipeline(t.range).map(t.square).kiq(4).waitResult(timeout: .seconds(30))
        #expect(mapped.returnValue == [0, 1, 4, 9])
        let filtered = try await Pipeline(t.range).filter(t.isEven).kiq(5).waitResult(timeout: .seconds(30))
        #expect(filtered.returnValue == [0, 2, 4])
        let empty = try await Pipeline(t.range).map(t.square).kiq(0).waitResult(timeout: .seconds(30))
        #expect(empty.returnValue == [])
    }

    @Test func callAfterIgnoresTheResultAndSendsKeywordArguments() async throws {
        let broker = Self.broker()
        let t = Tasks(broker)
        let after = try await Pipeline(t.square).callAfter(t.add, 5, 6).kiq(3).waitResult(timeout: .seconds(30))
        #expect(after.returnValue == 11)
        let noArguments = try await Pipeline(t.square).callAfter(t.answer).kiq(3).waitResult(timeout: .seconds(30))
        #expect(noArguments.returnValue == 42)
    }

    @Test func groupRunsMembersOnTheResultThenTheCallbackGetsAllResults() async throws {
        let broker = Self.broker()
        let t = Tasks(broker)
        // add(2, 3) = 5 → [square(5), square(5), identity(5)] → sum
        let handle = try await Pipeline(t.add).group([t.square, t.square, t.identity])
            .callNext(t.sum).kiq(2, 3)
        let result = try await handle.waitResult(timeout: .seconds(30))
        #expect(result.returnValue == 25 + 25 + 5)
    }

    @Test func groupStartsAPipelineAsAChord() async throws {
        let broker = Self.broker()
        let t = Tasks(broker)
        let chord = try await Pipeline(group: [t.add.call(1, 2), t.add.call(3, 4), t.add.call(5, 6)])
            .callNext(t.sum).kiq()
        #expect(try await chord.waitResult(timeout: .seconds(30)).returnValue == 21)
        let bare = try await Pipeline(group: [t.add.call(1, 1), t.add.call(2, 2)]).kiq()
        #expect(try await bare.waitResult(timeout: .seconds(30)).returnValue == [2, 4])
    }

    @Test func collectorsDoNotDeadlockAOneRunnerWorker() async throws {
        let broker = Self.broker(maxAsyncTasks: 1)
        let t = Tasks(broker)
        let result = try await Pipeline(t.range).map(t.square).filter(t.isEven).callNext(t.sum).kiq(6)
            .waitResult(timeout: .seconds(60))
        #expect(result.returnValue == 0 + 4 + 16)
    }

    @Test func aFailedStepStoresItsErrorAsThePipelineResult() async throws {
        let broker = Self.broker()
        let t = Tasks(broker)
        let handle = try await Pipeline(t.square).callNext(t.fail).callNext(t.square).callNext(t.square).kiq(3)
        let result = try await handle.waitResult(timeout: .seconds(30))
        #expect(result.isErr)
        #expect(result.error?.name == "ValueError")
        #expect(result.error?.message == "bad 9")
    }

    @Test func aFailedMapItemFailsTheStepUnlessErrorsAreSkipped() async throws {
        let broker = Self.broker()
        let t = Tasks(broker)
        let failed = try await Pipeline(t.range).map(t.fail).kiq(2).waitResult(timeout: .seconds(30))
        #expect(failed.isErr)
        #expect(failed.error?.name == "MappingError")
        let skipped = try await Pipeline(t.range).map(t.fail, skipErrors: true).kiq(2).waitResult(timeout: .seconds(30))
        #expect(skipped.returnValue == [])
        let group = try await Pipeline(t.range).callNext(t.sum).group([t.square, t.fail], skipErrors: true).kiq(3)
            .waitResult(timeout: .seconds(30))
        #expect(group.returnValue == [9])
    }

    @Test func aMapperGivenNoListAbortsThePipeline() async throws {
        let broker = Self.broker()
        let t = Tasks(broker)
        // Not expressible with the typed API (map needs a list result): built as steps, as Python could send.
        let steps = [
            PipelineStep(kind: .sequential, calls: [PipelineStepCall(taskName: t.square.name)]),
            PipelineStep(kind: .mapper, calls: [PipelineStepCall(taskName: t.square.name)]),
            PipelineStep(kind: .sequential, calls: [PipelineStepCall(taskName: t.sum.name)]),
        ]
        let last = try await PipelineLauncher.start(steps, args: [3], kwargs: [:], broker: broker)
        let result = try await TaskHandle<Int>(taskID: last, broker: broker).waitResult(timeout: .seconds(30))
        #expect(result.isErr)
        #expect(result.error?.name == "AbortPipeline")
    }

    @Test func fixedArgumentsWithoutParameterNamesFailAtKiq() async throws {
        let broker = Self.broker()
        let t = Tasks(broker)
        let unnamed = broker.task("p.unnamed") { (x: Int, y: Int) async throws -> Int in x + y }
        await #expect(throws: PipelineError.self) { _ = try await Pipeline(t.square).callNext(unnamed, 1).kiq(2) }
        await #expect(throws: PipelineError.self) { _ = try await Pipeline<[Int]>(group: []).kiq() }
    }

    /// The steps' JSON is byte for byte what taskiq-pipelines 0.1.4's `dumpb` writes (captured from
    /// Python with fixed task IDs), and reads back from both the text and Python's base64 form.
    @Test func stepsEncodeExactlyAsPython() throws {
        let python = """
            [{"step_type": "sequential", "step_data": {"task_name": "t.add", "labels": {}, "param_name": null, "additional_kwargs": {}}, "task_id": "id0"}, \
            {"step_type": "sequential", "step_data": {"task_name": "t.rng", "labels": {}, "param_name": null, "additional_kwargs": {}}, "task_id": "id1"}, \
            {"step_type": "mapper", "step_data": {"task_name": "t.add", "labels": {}, "param_name": null, "additional_kwargs": {"b": 10}, "skip_errors": false, "check_interval": 0.5}, "task_id": "id2"}, \
            {"step_type": "filter", "step_data": {"task_name": "t.even", "labels": {}, "param_name": null, "additional_kwargs": {}, "skip_errors": true, "check_interval": 0.25}, "task_id": "id3"}, \
            {"step_type": "sequential", "step_data": {"task_name": "t.add", "labels": {}, "param_name": -1, "additional_kwargs": {"a": 1, "b": 2}}, "task_id": "id4"}, \
            {"step_type": "sequential", "step_data": {"task_name": "t.add", "labels": {}, "param_name": "a", "additional_kwargs": {"b": 5}}, "task_id": "id5"}]
            """
        let steps = [
            PipelineStep(kind: .sequential, calls: [PipelineStepCall(taskName: "t.add")], taskID: "id0"),
            PipelineStep(kind: .sequential, calls: [PipelineStepCall(taskName: "t.rng")], taskID: "id1"),
            PipelineStep(kind: .mapper, calls: [PipelineStepCall(taskName: "t.add", kwargs: ["b": 10])], taskID: "id2"),
            PipelineStep(
                kind: .filter, calls: [PipelineStepCall(taskName: "t.even")], skipErrors: true, checkInterval: 0.25, taskID: "id3"),
            PipelineStep(
                kind: .sequential, calls: [PipelineStepCall(taskName: "t.add", parameter: .ignored, kwargs: ["a": 1, "b": 2])],
                taskID: "id4"),
            PipelineStep(
                kind: .sequential, calls: [PipelineStepCall(taskName: "t.add", parameter: .keyword("a"), kwargs: ["b": 5])], taskID: "id5"),
        ]
        #expect(PipelineLabels.encode(steps) == python)
        #expect(try PipelineLabels.decode(try PipelineLabels.text(of: .string(python))) == steps)
        let base64 = Data(python.utf8).base64EncodedString()
        #expect(try PipelineLabels.decode(try PipelineLabels.text(of: .string(base64))) == steps)
    }

    /// `_pipe_data` travels as bytes (type code 6, base64) and `_pipe_current_step` as an integer
    /// (code 2), as Python sends them: Python's middleware reads `_pipe_data` with `bytes.decode()`.
    /// A received bytes label keeps its type when the message is sent again.
    @Test func pipelineLabelsTravelWithPythonsTypeCodes() throws {
        var message = TaskiqMessage(taskID: "id", taskName: "t")
        PipelineLabels.apply(to: &message, step: 3, data: "[]", dataFirst: true)
        let wire = try #require(message.wireValue.objectValue)
        #expect(wire["labels"] == ["_pipe_data": "W10=", "_pipe_current_step": "3"])
        #expect(wire["labels_types"] == ["_pipe_data": 6, "_pipe_current_step": 2])
        let bytes = try JSONFormatter().dumps(message).message
        let decoded = try JSONFormatter().loads(bytes)
        #expect(decoded.labels["_pipe_data"] == "W10=")
        #expect(decoded.wireValue.objectValue?["labels_types"] == ["_pipe_data": 6, "_pipe_current_step": 2])
        var replaced = decoded
        replaced.setLabel("_pipe_data", "plain")
        #expect(replaced.wireValue.objectValue?["labels_types"]?.objectValue?["_pipe_data"] == 3)
    }

    @Test(arguments: [
        "not json and not base64!", "{}", "[1]", #"[{"step_type": "chord", "step_data": {}, "task_id": ""}]"#,
        #"[{"step_type": "sequential", "step_data": {"task_name": "x", "param_name": [7]}, "task_id": ""}]"#,
        #"[{"step_type": "mapper", "step_data": {"task_name": "x", "check_interval": 1e300}, "task_id": ""}]"#,
        #"[{"step_type": "group", "step_data": {"tasks": []}, "task_id": ""}]"#,
    ])
    func hostilePipelineDataIsRefused(text: String) {
        #expect(throws: PipelineError.self) { try PipelineLabels.decode(try PipelineLabels.text(of: .string(text))) }
    }

    @Test func unreadablePipelineLabelsStopThePipelineWithoutFailingTheTask() async throws {
        let broker = Self.broker()
        let t = Tasks(broker)
        let handle = try await t.square.kicker().withLabels(["_pipe_current_step": 0, "_pipe_data": "garbage"]).kiq(4)
        #expect(try await handle.waitResult(timeout: .seconds(30)).returnValue == 16)
        let steps = PipelineLabels.encode([
            PipelineStep(kind: .sequential, calls: [PipelineStepCall(taskName: t.square.name)]),
            PipelineStep(kind: .sequential, calls: [PipelineStepCall(taskName: t.square.name)]),
        ])
        for step in [JSONValue.int(.max), .int(.min), .int(-1), .string("99999999999999999999999")] {
            let edge = try await t.square.kicker().withLabels(["_pipe_current_step": step, "_pipe_data": .string(steps)]).kiq(5)
            #expect(try await edge.waitResult(timeout: .seconds(30)).returnValue == 25, "step label \(step)")
        }
    }
}
