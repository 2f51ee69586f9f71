import Dispatch
import Synchronization

/// The dispatch sources behind one ``SignalSequence`` iterator; cancelled on deinit.
final class SignalSubscription: Sendable {
    private let sources: Mutex<[any DispatchSourceSignal]>
    private let continuation: AsyncStream<Int32>.Continuation
    private let signals: [Int32]

    private static let queue = DispatchQueue(label: "taskiq.signals")

    init(signals: [Int32], continuation: AsyncStream<Int32>.Continuation) {
        self.signals = signals
        self.continuation = continuation
        // The disposition is changed only after dispatch has registered its sources: setting
        // SIG_IGN first would make a signal that arrives before registration vanish (on Linux,
        // registration installs dispatch's own handler), while the default action at least ends
        // the process as the sender asked.
        let before = signals.map(SignalDisposition.current)
        let registered = DispatchGroup()
        var created: [any DispatchSourceSignal] = []
        for signal in signals {
            let source = DispatchSource.makeSignalSource(signal: signal, queue: Self.queue)
            source.setEventHandler { continuation.yield(signal) }
            registered.enter()
            source.setRegistrationHandler { registered.leave() }
            source.resume()
            created.append(source)
        }
        sources = Mutex(created)
        // Registration runs on dispatch's manager thread, not the cooperative pool, and takes
        // microseconds; waiting makes a signal raised right after subscribing observable.
        _ = registered.wait(timeout: .now() + .seconds(5))
        for (signal, original) in zip(signals, before) { SignalDisposition.subscribe(signal, original: original) }
        continuation.onTermination = { [weak self] _ in self?.cancel() }
    }

    deinit {
        cancel()
    }

    /// Cancels the sources and restores the dispositions; idempotent.
    func cancel() {
        let cancelled = sources.withLock { sources in
            defer { sources = [] }
            return sources
        }
        guard !cancelled.isEmpty else { return }
        for source in cancelled { source.cancel() }
        for signal in signals { SignalDisposition.unsubscribe(signal) }
        continuation.finish()
    }
}
