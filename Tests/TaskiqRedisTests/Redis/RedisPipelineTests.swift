import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqRedis

extension Redis {
    /// Pipelines on a Redis stream broker with the Redis result backend: every step kind and a
    /// group, run by a worker with two runners, and a failed step's error reaching the handle.
    @Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage))
    struct RedisPipelineTests {
        @Test func everyStepKindAndAGroupRunOverRedis() async throws {
            try await RedisServer.with { server in
                let broker = try Redis.streamBroker(server)
                broker.withResultBackend(try RedisResultBackend(url: server.url))
                broker.addMiddlewares([PipelineMiddleware()])
                let add = broker.task("rp.add", parameters: ["a", "b"]) { (a: Int, b: Int) async throws -> Int in a + b }
                let range = broker.task("rp.range", parameters: ["n"]) { (n: Int) async throws -> [Int] in Array(0..<max(0, min(n, 100))) }
                let square = broker.task("rp.square", parameters: ["x"]) { (x: Int) async throws -> Int in x * x }
                let isEven = broker.task("rp.is_even", parameters: ["x"]) { (x: Int) async throws -> Bool in x % 2 == 0 }
                let sum = broker.task("rp.sum", parameters: ["values"]) { (values: [Int]) async throws -> Int in values.reduce(0, +) }
                let fail = broker.task("rp.fail", parameters: ["x"]) { (x: Int) async throws -> Int in
                    throw TaskError(name: "ValueError", arguments: [.string("no \(x)")])
                }
                try await Redis.withWorker(broker, ReceiverOptions(maxAsyncTasks: 2)) { _ in
                    // add(2, 3) = 5 → range → [0..4] → square → [0, 1, 4, 9, 16] → even → [0, 4, 16]
                    // → sum = 20 → group [square, square] → [400, 400] → sum = 800
                    let chain = try await Pipeline(add).callNext(range).map(square).filter(isEven).callNext(sum)
                        .group([square, square]).callNext(sum).kiq(2, 3)
                    let result = try await chain.waitResult(timeout: .seconds(60))
                    #expect(result.returnValue == 800, "\(result)")

                    let chord = try await Pipeline(group: [add.call(1, 2), add.call(3, 4)]).callNext(sum).kiq()
                    #expect(try await chord.waitResult(timeout: .seconds(60)).returnValue == 10)

                    let failed = try await Pipeline(square).callNext(fail).callNext(square).kiq(3)
                    let failure = try await failed.waitResult(timeout: .seconds(60))
                    #expect(failure.isErr)
                    #expect(failure.error?.name == "ValueError")
                }
            }
        }
    }
}
