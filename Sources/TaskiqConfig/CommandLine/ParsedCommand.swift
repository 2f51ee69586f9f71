/// A parsed subcommand: which one was chosen and the values given to it, as text.
///
/// The runner's commands never read it by name: a ``RunnerCommand`` is built from it through its
/// option declarations (``RunnerCommand/init(_:)``), which convert and check each value.
///
/// Options are keyed by long name without dashes (`config`), positional arguments by their
/// name (`TASK`). Typed accessors return `nil` for what was not given; the parser never fills in
/// defaults, so a configuration file can still decide them.
public struct ParsedCommand: Sendable, Hashable {
    /// The subcommand's name, such as `worker`.
    public var name: String
    /// The values of options that take values, in the order given.
    public var values: [String: [String]]
    /// The flags that were given.
    public var flags: Set<String>
    /// The values of positional arguments; a variadic argument may hold many or none.
    public var positionals: [String: [String]]
    /// For a positional argument with values given after `--`, the index in its values of the
    /// first such value: they are literal (`kick` reads none of them as `name=value`).
    public var literalPositionalStarts: [String: Int] = [:]

    /// Creates a parsed command, for instance to test code that consumes one.
    /// - Parameters:
    ///   - name: The subcommand's name.
    ///   - values: The values of options, keyed by long name.
    ///   - flags: The flags that were given.
    ///   - positionals: The values of positional arguments, keyed by name.
    public init(
        name: String,
        values: [String: [String]] = [:],
        flags: Set<String> = [],
        positionals: [String: [String]] = [:]
    ) {
        self.name = name
        self.values = values
        self.flags = flags
        self.positionals = positionals
    }

    /// Whether a flag was given, such as `flag("wait")` for `--wait`.
    public func flag(_ name: String) -> Bool { flags.contains(name) }

    /// The value of an option; when it was given more than once, the last.
    public func string(_ name: String) -> String? { values[name]?.last }

    /// Every value of a repeatable option, in the order given; empty when absent.
    public func strings(_ name: String) -> [String] { values[name] ?? [] }

    /// The value of an option as an integer, or `nil` when absent.
    /// - Throws: ``CommandLineError`` with code `.invalidValue` when the value is not an integer.
    public func int(_ name: String) throws(CommandLineError) -> Int? {
        let integer = OptionValue<Int>.integer
        return try converted(name, expecting: integer.expectation, integer.parse)
    }

    /// The value of an option as a number, or `nil` when absent.
    /// - Throws: ``CommandLineError`` with code `.invalidValue` when the value is not a finite number.
    public func double(_ name: String) throws(CommandLineError) -> Double? {
        let number = OptionValue<Double>.number
        return try converted(name, expecting: number.expectation, number.parse)
    }

    /// The value of a positional argument, such as `argument("TASK")`.
    public func argument(_ name: String) -> String? { positionals[name]?.first }

    /// Every value of a variadic positional argument; empty when none were given.
    public func arguments(_ name: String) -> [String] { positionals[name] ?? [] }

    /// Every value of a variadic positional argument, each with whether it came after `--`.
    public func markedArguments(_ name: String) -> [(value: String, isLiteral: Bool)] {
        let start = literalPositionalStarts[name] ?? Int.max
        return arguments(name).enumerated().map { (value: $0.element, isLiteral: $0.offset >= start) }
    }

    private func converted<T>(
        _ name: String,
        expecting expected: String,
        _ convert: (String) -> T?
    ) throws(CommandLineError) -> T? {
        guard let text = string(name) else { return nil }
        guard let value = convert(text) else {
            throw CommandLineError(
                code: .invalidValue, command: self.name, argument: text,
                message: "'--\(name)' expects \(expected), found '\(text)'")
        }
        return value
    }
}
