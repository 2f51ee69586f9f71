import Taskiq

/// A command line that could not be parsed, or a value that does not have the expected type.
///
/// The message is meant to be printed as is, followed by a pointer to `--help`:
/// `unknown option '--wrokers' for 'worker'; did you mean '--workers'?`.
public struct CommandLineError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of mistake the command line has.
    ///
    /// A struct rather than an enum so that new kinds can be added without breaking `switch`es.
    public typealias Code = ErrorCode<CommandLineError>

    /// What kind of mistake the command line has.
    public var code: Code
    /// The subcommand being parsed, or `nil` before one was chosen.
    public var command: String?
    /// The argument at fault as typed, such as `--wrokers` or `two`, when there is one.
    public var argument: String?
    /// A sentence saying what was found and what was expected.
    public var message: String

    /// Creates an error.
    /// - Parameters:
    ///   - code: What kind of mistake the command line has.
    ///   - command: The subcommand being parsed, if one was chosen.
    ///   - argument: The argument at fault as typed.
    ///   - message: A sentence saying what was found and what was expected.
    public init(code: Code, command: String? = nil, argument: String? = nil, message: String) {
        self.code = code
        self.command = command
        self.argument = argument
        self.message = message
    }

    /// The message.
    public var description: String { message }
}

extension ErrorCode where Domain == CommandLineError {
    /// An option the command does not define.
    public static var unknownOption: Self { "unknownOption" }
    /// A first argument that names no command.
    public static var unknownCommand: Self { "unknownCommand" }
    /// No command was named and there is no default command.
    public static var missingCommand: Self { "missingCommand" }
    /// An option that takes a value was given last, or before another option.
    public static var missingValue: Self { "missingValue" }
    /// A flag was given a value with `--flag=value`.
    public static var unexpectedValue: Self { "unexpectedValue" }
    /// A value does not have the type the command expects.
    public static var invalidValue: Self { "invalidValue" }
    /// A positional argument beyond those the command takes.
    public static var unexpectedArgument: Self { "unexpectedArgument" }
    /// A required positional argument is missing.
    public static var missingArgument: Self { "missingArgument" }
}
