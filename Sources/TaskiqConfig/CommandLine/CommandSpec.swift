/// One subcommand of a command-line tool: its name, its help and what it accepts.
///
/// ```swift
/// CommandSpec(
///     "kick",
///     abstract: "Send one task and optionally wait for its result.",
///     options: [OptionSpec("config", short: "c", valueName: "FILE", help: "Configuration file.")],
///     arguments: [ArgumentSpec("TASK", help: "Task name."), ArgumentSpec("ARGS", help: "Arguments.", isOptional: true, isVariadic: true)]
/// )
/// ```
public struct CommandSpec: Sendable, Hashable {
    /// The name typed after the program, such as `worker`.
    public var name: String
    /// One line for the list of commands and the top of the command's help.
    public var abstract: String
    /// Paragraphs shown in the command's help after the abstract; empty for none.
    public var discussion: String
    /// The options, in the order help lists them.
    public var options: [OptionSpec]
    /// The positional arguments, in order; only the last may be variadic.
    public var arguments: [ArgumentSpec]

    /// Creates a subcommand.
    /// - Parameters:
    ///   - name: The name typed after the program, such as `worker`.
    ///   - abstract: One line for help.
    ///   - discussion: Paragraphs for the command's help, separated by blank lines.
    ///   - options: The options, in the order help lists them.
    ///   - arguments: The positional arguments, in order.
    public init(
        _ name: String,
        abstract: String,
        discussion: String = "",
        options: [OptionSpec] = [],
        arguments: [ArgumentSpec] = []
    ) {
        self.name = name
        self.abstract = abstract
        self.discussion = discussion
        self.options = options
        self.arguments = arguments
    }

    /// The option with a long name, such as `config` for `--config`.
    public func option(named name: String) -> OptionSpec? {
        options.first { $0.name == name }
    }

    /// The option with a short name, such as `c` for `-c`.
    public func option(short: Character) -> OptionSpec? {
        options.first { $0.short == short }
    }
}
