import Dispatch

/// The signals a process receives, as an `AsyncSequence` of signal numbers.
///
/// ```swift
/// for await signal in SignalSequence([SIGINT, SIGTERM]) {
///     logger.notice("Received signal \(signal), shutting down")
///     break
/// }
/// ```
/// While an iterator exists, the listed signals are delivered to it instead of taking their
/// default action (terminating the process): their disposition is set to ignored and a
/// `DispatchSource` watches for them. When the last iterator for a signal goes away, the
/// disposition it had before is restored. Subscribing happens in ``makeAsyncIterator()``,
/// which returns once the sources are registered, so a signal raised after that is not lost;
/// a runner that must not miss an early signal should create the iterator before starting
/// the work the signal would stop.
///
/// Several deliveries of the same signal that arrive before the iterator is resumed may be
/// coalesced into one element, as signals themselves are.
public struct SignalSequence: AsyncSequence, Sendable {
    /// A signal number, such as `SIGTERM`.
    public typealias Element = Int32
    /// Iteration never fails; it ends only when the iterator is dropped.
    public typealias Failure = Never

    /// The signals this sequence watches.
    public let signals: [Int32]

    /// Creates a sequence of the given signals.
    /// - Parameter signals: Signal numbers such as `SIGINT` and `SIGTERM`. `SIGKILL` and
    ///   `SIGSTOP` cannot be caught and are never delivered.
    public init(_ signals: [Int32]) {
        var unique: [Int32] = []
        for signal in signals where !unique.contains(signal) { unique.append(signal) }
        self.signals = unique
    }

    /// Subscribes to the signals and returns an iterator over them.
    public func makeAsyncIterator() -> AsyncIterator {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        let subscription = SignalSubscription(signals: signals, continuation: continuation)
        return AsyncIterator(subscription: subscription, base: stream.makeAsyncIterator())
    }

    /// Yields signal numbers as they arrive; dropping it unsubscribes.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let subscription: SignalSubscription
        var base: AsyncStream<Int32>.Iterator

        /// Waits for the next signal. Returns `nil` only if the subscription was cancelled.
        public mutating func next() async -> Int32? {
            await base.next()
        }
    }
}
