/// A long-running piece of a component — a broker's delayed mover or cancel listener, a result
/// backend's notifier — with one ``run()`` that loops until its task is cancelled.
///
/// Services are not started on their own: a ``ServiceGroup`` owns them.
package protocol Service: Sendable {
    /// Does the service's work until the calling task is cancelled, then returns. Errors are the
    /// service's own business (logged, retried with a backoff): nothing escapes.
    func run() async
}
