import Testing
import Taskiq
@testable import TaskiqConfig
import TaskiqExamples

/// Arguments of the example tasks that no `Duration` can hold are error results, never traps.
@Suite struct ExampleTaskRangeTests {
    @Test(arguments: [JSONValue.double(1e21), .string("1e300"), .double(-1), .int(Int.max), .double(.greatestFiniteMagnitude)])
    func aHostileSleepIsAnErrorResultAndTheWorkerGoesOn(_ seconds: JSONValue) async throws {
        let system = try TaskiqSystem.load(Fixtures.example("taskiq.json"), modules: Fixtures.modules, environment: [:])
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
}
