import Taskiq
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig
@testable import TaskiqRedis

/// `check` and `kick` check schedule and kick arguments against the compiled task signatures
/// (`examples.add(a: Int, b: Int)`, `examples.echo(value: JSONValue)`) and `worker.limits`, so a wrong argument fails in the shell.
@Suite struct ArgumentCheckTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var schedule: String
        var path: String
        var reason: String
        var castTypes = true
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "a string for an Int", schedule: #"{"task": "examples.add", "interval": 5, "args": [1, "x"]}"#,
            path: "schedules[1].args[1]", reason: "argument 2 ('b') expected Int, found string \"x\""),
        Case(
            name: "a quoted number without cast_types", schedule: #"{"task": "examples.add", "interval": 5, "args": ["1", 2]}"#,
            path: "schedules[1].args[0]", reason: "cast_types is off", castTypes: false),
        Case(
            name: "too many positional arguments", schedule: #"{"task": "examples.add", "interval": 5, "args": [1, 2, 3]}"#,
            path: "schedules[1].args[2]", reason: "takes 2 arguments but 3 positional were given"),
        Case(
            name: "an unknown keyword", schedule: #"{"task": "examples.add", "interval": 5, "args": [1], "kwargs": {"c": 2}}"#,
            path: "schedules[1].kwargs.c", reason: "unexpected keyword argument 'c'"),
        Case(
            name: "a keyword of the wrong type", schedule: #"{"task": "examples.add", "interval": 5, "kwargs": {"a": 1, "b": [2]}}"#,
            path: "schedules[1].kwargs.b", reason: "expected Int, found array"),
        Case(
            name: "a missing argument", schedule: #"{"task": "examples.add", "interval": 5, "args": [1]}"#,
            path: "schedules[1]", reason: "missing argument 2 ('b') of type Int"),
        Case(
            name: "a value twice", schedule: #"{"task": "examples.add", "interval": 5, "args": [1, 2], "kwargs": {"a": 1}}"#,
            path: "schedules[1].kwargs.a", reason: "multiple values for argument 'a'"),
    ]

    static func config(schedule: String, castTypes: Bool = true) -> String {
        """
        {"broker": {"type": "inmemory"}, "tasks": {"modules": ["examples"]}, "worker": {"cast_types": \(castTypes)},
         "schedules": [{"task": "examples.echo", "interval": 5, "args": ["fine"]}, \(schedule)]}
        """
    }

    @Test(arguments: cases)
    func aScheduleWhoseArgumentsDoNotFitFailsWithItsPath(_ item: Case) throws {
        let directory = try TemporaryConfigDirectory(files: ["taskiq.json": Self.config(schedule: item.schedule, castTypes: item.castTypes)]
        )
        let error = try #require(throws: ConfigError.self) {
            try TaskiqSystem.load(directory.path("taskiq.json"), modules: Fixtures.modules)
        }
        #expect(error.code == .invalidArguments)
        #expect(error.path == item.path)
        #expect(error.message.contains(item.reason), "\(error.message)")
        #expect(error.message.contains("examples.add(a: Int, b: Int) -> Int"), "the message shows the signature")
        #expect(TaskiqRunner.exitStatus(for: error) == 2)
    }

    @Test func fittingArgumentsPassIncludingCastsAndKeywords() throws {
        let good = #"{"task": "examples.add", "interval": 5, "args": ["1"], "kwargs": {"b": 2.0}}"#
        let directory = try TemporaryConfigDirectory(files: ["taskiq.json": Self.config(schedule: good)])
        let system = try TaskiqSystem.load(directory.path("taskiq.json"), modules: Fixtures.modules)
        #expect(system.configuration.schedules.count == 2)
    }

    /// A schedule (or kick) whose message every worker would reject under `worker.limits` fails
    /// at load with the value's path, instead of being sent and dropped at every fire while its
    /// waiters hear nothing.
    @Test(arguments: [
        (#""args": [[[[1]]]]"#, #""max_depth": 4"#, "schedules[1].args[0]", "nested 5 levels deep exceeds max_depth = 4"),
        (#""kwargs": {"value": [[[1]]]}"#, #""max_depth": 4"#, "schedules[1].kwargs.value", "max_depth = 4"),
        (#""args": [1], "labels": {"deep": {"a": [[1]]}}"#, #""max_depth": 4"#, "schedules[1].labels.deep", "max_depth = 4"),
        (
            #""args": [1], "labels": {"note": "0123456789"}"#, #""max_label_value_size": 8"#, "schedules[1].labels",
            "max_label_value_size = 8"
        ),
        (
            #""args": ["\#(String(repeating: "x", count: 300))"]"#, #""max_message_size": 200"#, "schedules[1].args",
            "max_message_size = 200"
        ),
        (
            #""args": [1], "labels": {"note": "\#(String(repeating: "x", count: 300))"}"#, #""max_message_size": 200"#,
            "schedules[1].labels", "max_message_size = 200"
        ),
    ])
    func aMessageOverTheWorkersLimitsFailsWithItsPath(_ item: (arguments: String, limit: String, path: String, reason: String)) throws {
        let config = """
            {"broker": {"type": "inmemory"}, "tasks": {"modules": ["examples"]}, "worker": {"limits": {\(item.limit)}},
             "schedules": [{"task": "examples.echo", "interval": 5, "args": [1]}, {"task": "examples.echo", "interval": 5, \(item.arguments)}]}
            """
        let directory = try TemporaryConfigDirectory(files: ["taskiq.json": config])
        let error = try #require(throws: ConfigError.self) {
            try TaskiqSystem.load(directory.path("taskiq.json"), modules: Fixtures.modules)
        }
        #expect(error.code == .invalidArguments)
        #expect(error.path == item.path, "\(error)")
        #expect(error.message.contains(item.reason), "\(error.message)")
        #expect(error.message.contains("every worker of this configuration would reject"), "\(error.message)")
        // Under the default limits the same values load.
        let defaults = config.replacingOccurrences(of: item.limit, with: "")
        let fine = try TemporaryConfigDirectory(files: ["taskiq.json": defaults])
        #expect(throws: Never.self) { try TaskiqSystem.load(fine.path("taskiq.json"), modules: Fixtures.modules) }
    }

    @Test func checkExitsWithStatusTwoOnABadSchedule() async throws {
        let bad = #"{"task": "examples.add", "interval": 5, "args": [1, "x"]}"#
        let directory = try TemporaryConfigDirectory(files: ["taskiq.json": Self.config(schedule: bad)])
        let status = await TaskiqRunner(modules: Fixtures.modules).run(["check", "-c", directory.path("taskiq.json")], environment: [:])
        #expect(status == 2)
    }
}

/// `kick` refuses arguments that do not fit, or make a message over `worker.limits`, before anything reaches Redis.
@Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage))
struct RedisKickArgumentCheckTests {
    @Test func aBadKickSendsNothingAndExitsTwo() async throws {
        try await RedisServer.with { server in
            let directory = try TemporaryConfigDirectory(files: [
                "taskiq.json": """
                {"broker": {"type": "redis_stream", "url": "\(server.url)"}, "tasks": {"modules": ["examples"]}}
                """
            ])
            let runner = TaskiqRunner(modules: Fixtures.modules)
            let file = directory.path("taskiq.json")
            for arguments in [["1", "x"], ["1", "2", "3"], ["a=1", "c=2"], ["1"]] {
                let status = await runner.run(["kick", "-c", file, "examples.add"] + arguments, environment: [:])
                #expect(status == 2, "kick examples.add \(arguments)")
            }
            // Past worker.limits.max_depth (128): every worker would reject it and the caller would wait in vain.
            let deep = String(repeating: "[", count: 200) + "1" + String(repeating: "]", count: 200)
            #expect(await runner.run(["kick", "-c", file, "examples.echo", deep], environment: [:]) == 2)
            let system = try TaskiqSystem.load(file, modules: Fixtures.modules)
            #expect(throws: ConfigError.self) { try system.checkArguments("examples.add", args: [1, "x"], kwargs: [:]) }
            let client = RedisClient(configuration: try RedisConfiguration(url: server.url))
            let length = try await client.send(["XLEN", "taskiq"]).int
            #expect(length == nil || length == 0, "nothing was sent")
            let status = await runner.run(["kick", "-c", file, "examples.add", "1", "b=2"], environment: [:])
            #expect(status == 0)
            let sent = try await client.send(["XLEN", "taskiq"]).int
            #expect(sent == 1, "a fitting kick is sent")
            client.close()
        }
    }
}
