import Foundation
import Testing

@testable import Taskiq

#if canImport(Glibc)
import Glibc
#endif

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

    /// A thread asked for a tiny stack gets ``PlatformThread/minimumStackSize``: with glibc's
    /// `PTHREAD_STACK_MIN` (16 KiB) this very body overflowed it now and then, instantiating the
    /// stream's buffer metadata, and killed the test process with a bare `SIGSEGV`.
    @Test func aSmallStackIsRaisedToTheMinimum() async throws {
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        try PlatformThread.start(name: "taskiq-test-2", stackSize: 1) {
            continuation.yield(Self.currentThreadStackSize())
            continuation.finish()
        }
        var iterator = stream.makeAsyncIterator()
        let size = try #require(await iterator.next())
        #expect(size >= PlatformThread.minimumStackSize)
    }

    /// The running thread's stack size, from glibc's `pthread_getattr_np` (a GNU extension the
    /// Glibc module does not import, hence `dlsym`); 0 when it cannot be read.
    private static func currentThreadStackSize() -> Int {
        typealias GetAttr = @convention(c) (pthread_t, UnsafeMutablePointer<pthread_attr_t>) -> Int32
        guard let symbol = dlsym(nil, "pthread_getattr_np") else { return 0 }
        let getAttributes = unsafeBitCast(symbol, to: GetAttr.self)
        var attributes = pthread_attr_t()
        guard getAttributes(pthread_self(), &attributes) == 0 else { return 0 }
        defer { pthread_attr_destroy(&attributes) }
        var size = 0
        pthread_attr_getstacksize(&attributes, &size)
        return size
    }
}
