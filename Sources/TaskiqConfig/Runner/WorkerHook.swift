import Taskiq

/// Something a worker process runs at fixed points of its life, added by a ``RunnerExtension``:
/// diagnostics that load their own tasks and report what the worker did, for instance.
///
/// Every hook has a default that does nothing, so a hook states only what it does. The worker
/// path calls the hooks it was given and knows nothing of what they are.
public protocol WorkerHook: Sendable {
    /// Called after the system is assembled and before it starts: the place to register tasks on
    /// the listened broker or to open files.
    /// - Parameters:
    ///   - system: The assembled system.
    ///   - broker: The name of the broker the worker listens on.
    ///   - logger: The worker's logger.
    /// - Throws: An error that stops the worker before it starts.
    func workerWillStart(_ system: TaskiqSystem, broker: String, logger: Logger) throws

    /// Called once the worker's receive loop is built, just before it runs.
    /// - Parameter receiver: The receiver, or `nil` for a broker that runs tasks in-process.
    func workerWillRun(receiver: Receiver?)

    /// Called after the loop ended and the system shut down, before the process exits.
    func workerDidStop()
}

extension WorkerHook {
    /// Does nothing.
    public func workerWillStart(_ system: TaskiqSystem, broker: String, logger: Logger) throws {}
    /// Does nothing.
    public func workerWillRun(receiver: Receiver?) {}
    /// Does nothing.
    public func workerDidStop() {}
}
