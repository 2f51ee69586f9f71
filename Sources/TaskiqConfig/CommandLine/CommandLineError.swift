/// A command line that could not be parsed, or a value that does not have the expected type.
///
/// The message is meant to be printed as is, followed by a pointer to `--help`:
/// `unknown option '--wrokers' for 'worker'; did you mean '--workers'?`.
public struct CommandLineError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of mistake the command line has.
    ///
    /// A struct rather than an enum so that new kinds can be added without breaking `switch`es.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// A short, stable identifier such as `unknownOption`.
        public var description: String

        private init(_ description: String) { self.description = description }

        /// An option the command does not define.
        public static let unknownOption = Code("unknownOption")
        /// A first argument that names no command.
        public static let unknownCommand = Code("unknownCommand")
        /// No command was named and there is no default command.
        public static let missingCommand = Code("missingCommand")
        /// An option that takes a value was given last, or before another option.
        public static let missingValue = Code("missingValue")
        /// A flag was given a value with `--flag=value`.
        public static let unexpectedValue = Code("unexpectedValue")
        /// A value does not have the type the command expects.
        public static let invalidValue = Code("invalidValue")
        /// A positional argument beyond those the command takes.
        public static let unexpectedArgument = Code("unexpectedArgument")
        /// A required positional argument is missing.
        public static let missingArgument = Code("missingArgument")
    }

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
