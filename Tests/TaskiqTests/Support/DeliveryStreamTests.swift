import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq

@Suite struct DeliveryStreamTests {
    struct Boom: Error, Equatable {}

    /// Records each termination `onTermination` was told of.
    final class Terminations: Sendable {
        let seen = Mutex<[DeliveryStream.Continuation.Termination]>([])
        var all: [DeliveryStream.Continuation.Termination] { seen.withLock { $0 } }
        func record(_ termination: DeliveryStream.Continuation.Termination) { seen.withLock { $0.append(termination) } }
    }

    static func delivery(_ text: String) -> AckableMessage { AckableMessage(data: Array(text.utf8)) }
    static func text(_ delivery: AckableMessage?) -> String? { delivery.map { String(decoding: $0.data, as: UTF8.self) } }

    @Test func buffersInOrderThenEndsOnFinish() async throws {
        let (stream, continuation) = DeliveryStream.makeStream()
        let terminations = Terminations()
        continuation.onTermination = { terminations.record($0) }
        for index in 0..<1000 { #expect(continuation.yield(Self.delivery("\(index)")) == .enqueued) }
        continuation.finish()
        #expect(terminations.all == [.finished])
        #expect(continuation.yield(Self.delivery("late")) == .terminated)
        var taken: [String] = []
        for try await delivery in stream { taken.append(Self.text(delivery)!) }
        #expect(taken == (0..<1000).map { "\($0)" })
        #expect(terminations.all == [.finished])
    }

    @Test func aFailureIsThrownOnceAfterTheBufferedDeliveries() async throws {
        let (stream, continuation) = DeliveryStream.makeStream()
        continuation.yield(Self.delivery("a"))
        continuation.finish(throwing: Boom())
        continuation.finish()  // A second finish changes nothing.
        var iterator = stream.makeAsyncIterator()
        #expect(Self.text(try await iterator.next()) == "a")
        await #expect(throws: Boom.self) { _ = try await iterator.next() }
        #expect(try await iterator.next() == nil)
    }

    @Test func aWaitingConsumerGetsTheNextDeliveryFromAnotherThread() async throws {
        let (stream, continuation) = DeliveryStream.makeStream()
        let consumer = Task {
            var taken: [String] = []
            for try await delivery in stream { taken.append(Self.text(delivery)!) }
            return taken
        }
        // Yields from a thread of its own, as a broker's reader does, racing the consumer's waits.
        let producer = Task.detached {
            for index in 0..<20_000 { continuation.yield(Self.delivery("\(index)")) }
            continuation.finish()
        }
        await producer.value
        #expect(try await consumer.value == (0..<20_000).map { "\($0)" })
    }

    @Test func cancellingTheWaitingConsumerEndsTheStreamAsCancelled() async throws {
        let (stream, continuation) = DeliveryStream.makeStream()
        let terminations = Terminations()
        continuation.onTermination = { terminations.record($0) }
        let started = AsyncSemaphore(permits: 0)
        let consumer = Task {
            var iterator = stream.makeAsyncIterator()
            started.release()
            return try await iterator.next()
        }
        _ = await started.acquire()
        consumer.cancel()
        #expect(try await consumer.value == nil)
        #expect(terminations.all == [.cancelled])
        #expect(continuation.yield(Self.delivery("late")) == .terminated)
    }

    @Test func lettingTheStreamGoEndsItAsCancelled() {
        let terminations = Terminations()
        var continuation: DeliveryStream.Continuation?
        do {
            let made = DeliveryStream.makeStream()
            continuation = made.continuation
            made.continuation.onTermination = { terminations.record($0) }
            #expect(terminations.all.isEmpty)
        }
        #expect(terminations.all == [.cancelled])
        #expect(continuation?.yield(Self.delivery("late")) == .terminated)
    }

    @Test func aHandlerSetAfterTheEndRunsAtOnce() {
        let (stream, continuation) = DeliveryStream.makeStream()
        continuation.finish()
        let terminations = Terminations()
        continuation.onTermination = { terminations.record($0) }
        #expect(terminations.all == [.finished])
        withExtendedLifetime(stream) {}
    }

    @Test func unfoldingCallsTheProducerForEachDelivery() async throws {
        let count = Mutex(0)
        let stream = DeliveryStream {
            let index = count.withLock { value -> Int in
                value += 1
                return value
            }
            return index <= 3 ? Self.delivery("\(index)") : nil
        }
        var taken: [String] = []
        for try await delivery in stream { taken.append(Self.text(delivery)!) }
        #expect(taken == ["1", "2", "3"])
    }

    @Test func anUnfoldingStreamEndsForGoodOnNilOnAnErrorAndOnCancellation() async throws {
        let calls = Mutex(0)
        let ending = DeliveryStream {
            calls.withLock { $0 += 1 }
            return nil
        }
        var iterator = ending.makeAsyncIterator()
        #expect(try await iterator.next() == nil)
        #expect(try await iterator.next() == nil)
        #expect(calls.withLock { $0 } == 1)

        let failing = DeliveryStream {
            calls.withLock { $0 += 1 }
            throw Boom()
        }
        var failingIterator = failing.makeAsyncIterator()
        await #expect(throws: Boom.self) { _ = try await failingIterator.next() }
        #expect(try await failingIterator.next() == nil)
        #expect(calls.withLock { $0 } == 2)

        let endless = DeliveryStream {
            calls.withLock { $0 += 1 }
            return Self.delivery("again")
        }
        let cancelled = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            var iterator = endless.makeAsyncIterator()
            return try await iterator.next()
        }
        #expect(try await cancelled.value == nil)
        #expect(calls.withLock { $0 } == 2)
    }
}
