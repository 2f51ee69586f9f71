import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqRedis

extension Redis {
    /// A Redis worker with one runner, running tasks that kick a subtask onto the same stream
    /// and wait for it: the worker lends its intake a permit and starts one more runner.
    @Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage))
    struct RedisSubtaskTests {
        @Test func aTaskAwaitingASubtaskOnTheSameStreamDoesNotDeadlockAOneRunnerWorker() async throws {
            try await RedisServer.with { server in
                let broker = try Redis.streamBroker(server)
                let inner = broker.task("inner") { (n: Int) async throws -> Int in n * 2 }
                let outer = broker.task("outer") { (n: Int) async throws -> Int in
                    try await inner.kiq(n).waitResult(timeout: .seconds(30)).returnValue! + 1
                }
                try await Redis.withWorker(broker, ReceiverOptions(maxAsyncTasks: 1)) { receiver in
                    var kicked: [TaskHandle<Int>] = []
                    for n in 0..<4 { kicked.append(try await outer.kiq(n)) }
                    let handles = kicked
                    try await withTimeout(seconds: 30) {
                        for (n, handle) in handles.enumerated() {
                            let result = try await handle.waitResult(timeout: .seconds(30))
                            #expect(result.returnValue == n * 2 + 1, "\(result)")
                        }
                    }
                    #expect(receiver.statistics.succeeded == 8)
                }
            }
        }
    }
}
