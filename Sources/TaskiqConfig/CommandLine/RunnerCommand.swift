/// A subcommand of a ``TaskiqRunner``: typed options and arguments, declared once, and `run`.
///
/// ```swift
/// struct CancelCommand: RunnerCommand {
///     static let configuration = CommandConfiguration("cancel", abstract: "Ask the workers to cancel a task by its ID.")
///     static let options: [CommandOption<Self>] = [.configFile(\.config)] + .group(\.logging)
///     static let arguments: [CommandArgument<Self>] = [.required("TASK_ID", help: "The ID of the task.", \.taskID)]
///     var config: String?
///     var logging = LoggingOptions()
///     var taskID = ""
///     func run(_ context: CommandContext) async throws -> Int32 { ... }
/// }
/// ```
/// The runner parses the command line with the declarations, checks the values with
/// ``validate()`` and calls ``run(_:)``; a ``CommandLineError`` from either is a usage error
/// (exit status 2) that points to `--help`.
public protocol RunnerCommand: ParsableArguments {
    /// The name and help of the command.
    static var configuration: CommandConfiguration { get }
    /// The positional arguments, in order; only the last may be variadic. None by default.
    static var arguments: [CommandArgument<Self>] { get }

    /// Checks values against each other, before anything is loaded; nothing by default.
    /// - Throws: ``CommandLineError`` naming the value at fault.
    func validate() throws(CommandLineError)

    /// Runs the command.
    /// - Parameter context: The runner and the process's arguments and environment.
    /// - Returns: The exit status.
    func run(_ context: CommandContext) async throws -> Int32
}

extension RunnerCommand {
    /// No positional arguments.
    public static var arguments: [CommandArgument<Self>] { [] }

    /// Accepts every combination of values.
    public func validate() throws(CommandLineError) {}

    /// The declarations as the parser and help read them.
    public static var spec: CommandSpec {
        CommandSpec(
            configuration.name, abstract: configuration.abstract, discussion: configuration.discussion,
            options: options.map(\.spec), arguments: arguments.map(\.spec))
    }

    /// The command with the values of a parsed command line, validated.
    /// - Throws: ``CommandLineError`` for a value of the wrong type or that ``validate()`` rejects.
    public init(_ parsed: ParsedCommand) throws(CommandLineError) {
        self.init()
        for option in Self.options {
            if option.kind == .flag {
                if parsed.flag(option.name) { try option.assign(&self, [""], parsed.name) }
            } else if let values = parsed.values[option.name] {
                try option.assign(&self, values, parsed.name)
            }
        }
        for argument in Self.arguments {
            let values = parsed.markedArguments(argument.spec.name).map { PositionalValue($0.value, isLiteral: $0.isLiteral) }
            argument.assign(&self, values)
        }
        try validate()
    }

    /// Parses this command's arguments (without the program and command names), as in tests.
    /// - Throws: ``CommandLineError`` as the runner would report it.
    public static func parse(_ arguments: [String]) throws(CommandLineError) -> Self {
        let parser = CommandLineParser(programName: configuration.name, version: "", abstract: "", commands: [spec])
        guard case .run(let parsed) = try parser.parse([configuration.name] + arguments) else {
            throw CommandLineError(
                code: .invalidValue, command: configuration.name,
                message: "expected options for '\(configuration.name)', not a request for help")
        }
        return try Self(parsed)
    }

    /// Parses a command line the runner matched to this command, then runs it.
    static func execute(_ parsed: ParsedCommand, context: CommandContext) async throws -> Int32 {
        try await Self(parsed).run(context)
    }
}
