import Taskiq
import TaskiqExamples
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig
@testable import TaskiqDiagnostics

/// Arguments of the example tasks that no `Duration` can hold are error results, never traps.
@Suite struct ExampleTaskRangeTests {
    @Test(arguments: [JSONValue.double(1e21), .string("1e300"), .double(-1), .int(Int.max), .double(.greatestFiniteMagnitude)])
    func aHostileSleepIsAnErrorResultAndTheWorkerGoesOn(_ seconds: JSONValue) async throws {
        let system = try TaskiqSystem.load(TestPaths.example("taskiq.json"), modules: [ExampleTasks.module], environment: [:])
        try await system.startup()
        let id = try await system.kick("examples.sleep", args: [seconds])
        let result = try await system.waitResult(id, timeout: .seconds(10))
        let next = try await system.waitResult(try await system.kick("examples.add", args: [1, 2]), timeout: .seconds(10))
        try await system.shutdown()
        #expect(result.isErr)
        #expect(result.error?.name == "DurationRangeError", "\(result.error?.description ?? "")")
        #expect(result.error?.message.contains("examples.sleep seconds") == true)
        #expect(next.returnValue == 3)
    }

    /// Through the real executable: the worker answers with an error result, not a trap.
    @Test func kickingAHostileSleepExitsOneWithTheReason() async throws {
        let output = try await TaskiqRunProcess.run(["kick", "-c", "examples/taskiq.json", "examples.sleep", "1e21", "--wait"])
        #expect(output.status == 1, "\(output.stderr)")
        #expect(output.stderr.contains("DurationRangeError: examples.sleep seconds 1e+21 is too long"))
    }

    /// `kick --timeout` goes through the same check (Int(1e300 * 1000) trapped).
    @Test(arguments: ["1e300", "-1", "nan"])
    func aHostileKickTimeoutIsAUsageError(_ value: String) async throws {
        let output = try await TaskiqRunProcess.run([
            "kick", "-c", "examples/taskiq.json", "examples.add", "1", "2", "--wait",
            "--timeout", value,
        ])
        #expect(output.status == 2, "\(output.stderr)")
        #expect(output.stderr.contains("'--timeout'"), "\(output.stderr)")
    }

    /// The soak command's duration options go through the same check (Int64(1e300 * 1000) trapped).
    @Test(arguments: ["--max-seconds", "--result-timeout", "--drain-seconds", "--progress"])
    func aHostileSoakDurationIsAUsageError(_ option: String) throws {
        let error = #expect(throws: CommandLineError.self) { try SoakCommand.parse(["--records", "/tmp/x", option, "1e300"]) }
        #expect(error?.message.contains("\(option)' expects") == true, "\(error?.message ?? "")")
    }
}
