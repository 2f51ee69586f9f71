import TaskiqConfig

extension RunnerExtension {
    /// The `bench` and `soak` commands, and the worker hook that lets the worker processes they
    /// measure load their tasks and report back.
    ///
    /// ```swift
    /// await TaskiqRunner(modules: [ExampleTasks.module], extensions: [.diagnostics]).main()
    /// ```
    public static var diagnostics: RunnerExtension {
        RunnerExtension(commands: [BenchCommand.self, SoakCommand.self], workerHooks: [DiagnosticsWorkerHook()])
    }
}
