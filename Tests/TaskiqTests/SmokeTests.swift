import Testing
@testable import Taskiq

@Test func smokeAdd() async throws {
    let broker = InMemoryBroker()
    let add = broker.task("math.add") { (a: Int, b: Int) async throws -> Int in a + b }
    let handle = try await add.kiq(1, 2)
    let result = try await handle.waitResult(timeout: .seconds(5))
    #expect(result.returnValue == 3)
    #expect(!result.isErr)
}
