#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import Taskiq

/// ``PlatformThread`` runs its body on a new, named OS thread.
@Suite struct PlatformThreadTests {
    @Test func runsTheBodyOnANamedThreadOfItsOwn() async throws {
        let caller = pthread_self()
        let (stream, continuation) = AsyncStream<(pthread_t, String)>.makeStream()
        try PlatformThread.start(name: "taskiq-test-1") {
            let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
            continuation.yield((pthread_self(), name.trimmingCharacters(in: .newlines)))
            continuation.finish()
        }
        var iterator = stream.makeAsyncIterator()
        let (thread, name) = try #require(await iterator.next())
        #expect(thread != caller)
        #expect(name == "taskiq-test-1")
    }

    @Test func aSmallStackIsRaisedToTheMinimum() async throws {
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        try PlatformThread.start(name: "taskiq-test-2", stackSize: 1) {
            continuation.yield(1)
            continuation.finish()
        }
        var iterator = stream.makeAsyncIterator()
        #expect(await iterator.next() == 1)
    }
}
