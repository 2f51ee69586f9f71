import Foundation
import Testing

@testable import Taskiq

#if canImport(Glibc)
import Glibc
#endif

/// ``PlatformThread`` runs its body on a new, named OS thread.
@Suite struct PlatformThreadTests {
    /// The body compares its own thread with the caller's, taken before `start`, rather than the
    /// test comparing after its `await`: `pthread_self()` is a `const` function, so in release the
    /// caller's value may be computed again after the `await`, on whichever pool thread resumed
    /// the test — once a new pool thread to which glibc had given the exited body thread's
    /// descriptor, and the two matched (CI, 2026-12-07).
    @Test func runsTheBodyOnANamedThreadOfItsOwn() async throws {
        let caller = pthread_self()
        let (stream, continuation) = AsyncStream<(Bool, String)>.makeStream()
        try PlatformThread.start(name: "taskiq-test-1") {
            let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
            continuation.yield((pthread_equal(pthread_self(), caller) != 0, name.trimmingCharacters(in: .newlines)))
            continuation.finish()
        }
        var iterator = stream.makeAsyncIterator()
        let (onTheCaller, name) = try #require(await iterator.next())
        #expect(!onTheCaller)
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
