/// Commands and worker hooks added to a ``TaskiqRunner`` beyond the standard ones, such as the
/// `bench` and `soak` diagnostics of the `taskiq-run` executable.
///
/// ```swift
/// await TaskiqRunner(modules: [ExampleTasks.module], extensions: [.diagnostics]).main()
/// ```
public struct RunnerExtension: Sendable {
    /// Subcommands listed after the standard ones (before `schema`).
    public var commands: [any RunnerCommand.Type]
    /// Hooks every worker process of the runner calls.
    public var workerHooks: [any WorkerHook]

    /// Creates an extension.
    /// - Parameters:
    ///   - commands: Subcommands to add.
    ///   - workerHooks: Hooks for the worker processes.
    public init(commands: [any RunnerCommand.Type] = [], workerHooks: [any WorkerHook] = []) {
        self.commands = commands
        self.workerHooks = workerHooks
    }
}
