import Foundation
import Testing
import TaskiqTestSupport
@testable import Taskiq
@testable import TaskiqRedis

// The form of concurrentCallersShareWritesAndEachGetsItsOwnReplyOrError from 8f93a68, which
// collected (index, Result) from the task group and read back garbage indices in release test
// builds. The cause is an optimiser fault in Swift 6.3.1 (LLVM's DSE drops the store of `index`
// into the child closure's tuple result on the success path), not the Redis client:
// docs/toolchain/async-tuple-result.md reproduces it in 40 lines with no Redis.
extension RESP.RedisConnectionTests {
    /// Fails every run in a release test build (`-c release -Xswiftc -enable-testing`) on an affected
    /// toolchain: outcomes has 101-160 entries instead of 200 and odd callers "get" integers, because
    /// each succeeding caller's index is never written. Passes in debug. Opt in with TG_ORIGINAL=1.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["TG_ORIGINAL"] != nil))
    func originalCollectedFromTheGroup() async throws {
        try await RedisServer.with { server in
            let connection = try await RedisConnection.connect(try Self.configuration(server))
            let observer = try await RedisConnection.connect(try Self.configuration(server))
            defer { connection.close(); observer.close() }
            try await connection.send(["SET", "text", "not a number"])
            let before = try await Self.readsProcessed(observer)
            let barrier = AsyncBarrier(count: 200)
            // Callers released together: even ones count, odd ones INCR a string and are refused.
            let outcomes = await withTaskGroup(of: (Int, Result<RESPValue, any Error>).self) { group in
                for index in 0..<200 {
                    group.addTask {
                        await barrier.arrive()
                        let command: [any RESPArgument] = index.isMultiple(of: 2) ? ["INCR", "counter"] : ["INCR", "text"]
                        do { return (index, .success(try await connection.send(command))) } catch { return (index, .failure(error)) }
                    }
                }
                return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            var counts: [Int64] = []
            for (index, outcome) in outcomes {
                switch outcome {
                case .success(let reply):
                    #expect(index.isMultiple(of: 2), "caller \(index) got \(reply) instead of its error")
                    if let count = reply.int { counts.append(Int64(count)) }
                case .failure(let error):
                    #expect(!index.isMultiple(of: 2), "caller \(index) failed: \(error)")
                    #expect((error as? RedisError)?.message.contains("not an integer") == true, "\(error)")
                }
            }
            #expect(outcomes.count == 200)
            #expect(counts.sorted() == Array(1...100))
            let reads = try await Self.readsProcessed(observer) - before
            #expect(reads <= 40, "200 concurrent commands arrived in \(reads) reads")
            #expect(connection.isOpen)
        }
    }
}
