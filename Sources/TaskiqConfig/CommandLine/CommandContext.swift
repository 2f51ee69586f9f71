/// What a subcommand runs with besides its own options: the runner and the process's inputs.
public struct CommandContext: Sendable {
    /// The runner that parsed the command: its modules, registry and program name.
    public var runner: TaskiqRunner
    /// The whole command line without the program name, as given; a supervisor passes it on to
    /// the worker processes it spawns.
    public var arguments: [String]
    /// The variables `${VAR}` and `TASKIQ_CONFIG` read.
    public var environment: [String: String]

    /// Creates a context.
    /// - Parameters:
    ///   - runner: The runner that parsed the command.
    ///   - arguments: The command line without the program name.
    ///   - environment: The variables the configuration reads.
    public init(runner: TaskiqRunner, arguments: [String], environment: [String: String]) {
        self.runner = runner
        self.arguments = arguments
        self.environment = environment
    }
}
