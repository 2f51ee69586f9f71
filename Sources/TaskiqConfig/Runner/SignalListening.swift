/// Iterates `signals`, calling `subscribed` once the iterator exists and `deliver` for each
/// signal, until the sequence ends or the task is cancelled.
///
/// Subscribing happens when the iterator is made (see ``SignalSequence``), so a runner waits
/// for `subscribed` before starting the work a signal would stop; a signal raised from then
/// on is not lost. The generic parameter opens the runners' existential sequences.
func listenForSignals(
    to signals: some AsyncSequence<Int32, Never>, subscribed: () -> Void, deliver: (Int32) -> Void
) async {
    var iterator = signals.makeAsyncIterator()
    subscribed()
    while !Task.isCancelled, let signal = await iterator.next(isolation: #isolation) {
        deliver(signal)
    }
}

/// A signal sequence with its type erased: iterates it as ``listenForSignals(to:subscribed:deliver:)``.
typealias SignalListener = @Sendable (_ subscribed: () -> Void, _ deliver: (Int32) -> Void) async -> Void

/// Erases the type of `signals` for a runner that stores it.
func signalListener(_ signals: some AsyncSequence<Int32, Never> & Sendable) -> SignalListener {
    { subscribed, deliver in await listenForSignals(to: signals, subscribed: subscribed, deliver: deliver) }
}
