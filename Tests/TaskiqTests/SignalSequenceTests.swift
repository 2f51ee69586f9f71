import TaskiqTestSupport
import Testing

@testable import Taskiq

#if canImport(Glibc)
import Glibc
#endif

/// The only suite that raises SIGUSR1, so parallel tests cannot steal its deliveries.
@Suite struct SignalSequenceTests {
    /// Subscribes, raises SIGUSR1 at the process and waits for it, racing a timeout.
    func receiveRaisedSIGUSR1() async throws -> Int32? {
        try await withTimeout {
            var signals = SignalSequence([SIGUSR1, SIGUSR1]).makeAsyncIterator()
            kill(getpid(), SIGUSR1)
            return await signals.next()
        }
    }

    @Test func deliversRaisedSignalsAndRestoresTheDispositionEachTime() async throws {
        let before = SignalDisposition.currentHandlerAddress(SIGUSR1)
        #expect(try await receiveRaisedSIGUSR1() == SIGUSR1)
        #expect(SignalDisposition.currentHandlerAddress(SIGUSR1) == before)
        // Subscribing again must still work after libdispatch's handler was taken away.
        #expect(try await receiveRaisedSIGUSR1() == SIGUSR1)
        #expect(SignalDisposition.currentHandlerAddress(SIGUSR1) == before)
    }

    @Test func duplicateSignalsAreListedOnce() {
        #expect(SignalSequence([SIGINT, SIGTERM, SIGINT]).signals == [SIGINT, SIGTERM])
    }
}
