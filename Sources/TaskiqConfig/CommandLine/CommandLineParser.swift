/// Parses the arguments of a tool with several subcommands, such as `taskiq-run`.
///
/// Accepts `--opt value`, `--opt=value`, `-o value`, `-ovalue`, bundled flags (`-vq`), repeatable
/// options, options before or after positional arguments, and `--` to end options. A token such
/// as `-1` that is not a known short option but reads as a number is a positional value. When the
/// first argument is not a subcommand, the default subcommand gets every argument, so
/// `taskiq-run -c x.json` is `taskiq-run worker -c x.json`.
///
/// ```swift
/// let parser = CommandLineParser(programName: "taskiq-run", version: "0.1.0",
///                                abstract: "Run Taskiq workers.", commands: [worker, kick],
///                                defaultCommand: "worker")
/// switch try parser.parse(CommandLine.arguments.dropFirst()) {
/// case .run(let command): ...
/// case .help(let text), .version(let text): print(text)
/// }
/// ```
public struct CommandLineParser: Sendable {
    /// What the command line asks for.
    public enum Outcome: Sendable, Hashable {
        /// Run a subcommand with these values.
        case run(ParsedCommand)
        /// Print this help text and exit successfully (`--help`, `-h` or `help COMMAND`).
        case help(String)
        /// Print this version and exit successfully (`--version`).
        case version(String)
    }

    /// The executable's name, used in usage lines, such as `taskiq-run`.
    public var programName: String
    /// The version printed for `--version`.
    public var version: String
    /// One line describing the tool, shown at the top of its help.
    public var abstract: String
    /// The subcommands, in the order help lists them.
    public var commands: [CommandSpec]
    /// The subcommand run when the first argument names none, or `nil` to require one.
    public var defaultCommand: String?

    /// Creates a parser.
    /// - Parameters:
    ///   - programName: The executable's name, such as `taskiq-run`.
    ///   - version: The version printed for `--version`.
    ///   - abstract: One line describing the tool.
    ///   - commands: The subcommands, in the order help lists them.
    ///   - defaultCommand: The subcommand run when the first argument names none.
    public init(
        programName: String,
        version: String,
        abstract: String,
        commands: [CommandSpec],
        defaultCommand: String? = nil
    ) {
        self.programName = programName
        self.version = version
        self.abstract = abstract
        self.commands = commands
        self.defaultCommand = defaultCommand
    }

    /// The subcommand with a name.
    public func command(named name: String) -> CommandSpec? {
        commands.first { $0.name == name }
    }

    /// Parses arguments without the program name, such as `CommandLine.arguments.dropFirst()`.
    /// - Throws: ``CommandLineError`` saying what is wrong and, for a misspelt name, what was meant.
    public func parse(_ arguments: some Sequence<String>) throws(CommandLineError) -> Outcome {
        let arguments = Array(arguments)
        let defaultSpec = defaultCommand.flatMap(command(named:))
        guard let first = arguments.first else {
            if let defaultSpec { return try parse(arguments[...], for: defaultSpec) }
            return .help(helpText())
        }
        if let spec = command(named: first) {
            return try parse(arguments.dropFirst(), for: spec)
        }
        switch first {
        case "help":
            guard arguments.count > 1 else { return .help(helpText()) }
            let name = arguments[1]
            guard command(named: name) != nil else { throw unknownCommand(name) }
            return .help(helpText(for: name))
        case "--help", "-h":
            return .help(helpText())
        case "--version":
            return .version(version)
        default:
            break
        }
        if let defaultSpec, Self.isOption(first) || !defaultSpec.arguments.isEmpty || first == "--" {
            return try parse(arguments[...], for: defaultSpec)
        }
        if Self.isOption(first) {
            throw CommandLineError(
                code: .missingCommand, argument: first,
                message: "expected a command before '\(first)': \(commands.map(\.name).joined(separator: ", "))")
        }
        throw unknownCommand(first)
    }

    private func unknownCommand(_ name: String) -> CommandLineError {
        var message = "unknown command '\(name)'"
        if let match = closestMatch(to: name, in: commands.map(\.name)) {
            message += "; did you mean '\(match)'?"
        }
        return CommandLineError(code: .unknownCommand, argument: name, message: message)
    }

    /// Whether a token is an option rather than a value: it starts with a dash, is not a lone
    /// dash (stdin by convention) and does not read as a negative number.
    static func isOption(_ token: String) -> Bool {
        token.hasPrefix("-") && token != "-" && !isNegativeNumber(token)
    }

    static func isNegativeNumber(_ token: String) -> Bool {
        guard token.hasPrefix("-"), let next = token.dropFirst().first,
            next.isASCII && (next.isNumber || next == ".")
        else { return false }
        return Double(token) != nil
    }

    private func parse(_ tokens: ArraySlice<String>, for spec: CommandSpec) throws(CommandLineError) -> Outcome {
        // Asking for help succeeds whatever else is wrong with the line, as it does in git.
        let optionTokens = tokens.prefix { $0 != "--" }
        if spec.option(named: "help") == nil,
            optionTokens.contains("--help")
                || spec.option(short: "h") == nil && optionTokens.contains("-h")
        {
            return .help(helpText(for: spec.name))
        }
        var parsed = ParsedCommand(name: spec.name)
        var positional: [String] = []
        var remaining = tokens
        var optionsEnded = false
        var separator: Int?

        func error(_ code: CommandLineError.Code, _ argument: String, _ message: String) -> CommandLineError {
            CommandLineError(code: code, command: spec.name, argument: argument, message: message)
        }

        /// Records an option; takes its value from `inline` or else the next token.
        func take(_ option: OptionSpec, as typed: String, inline: String?) throws(CommandLineError) {
            switch option.kind {
            case .flag:
                if inline != nil {
                    throw error(.unexpectedValue, typed, "'\(option.longForm)' does not take a value")
                }
                parsed.flags.insert(option.name)
                return
            case .single, .repeatable:
                let value: String
                if let inline {
                    value = inline
                } else if let next = remaining.first, !Self.isOption(next) {
                    value = next
                    remaining.removeFirst()
                } else {
                    throw error(.missingValue, typed, "missing value for '\(typed)'")
                }
                if option.kind == .single {
                    parsed.values[option.name] = [value]
                } else {
                    parsed.values[option.name, default: []].append(value)
                }
            }
        }

        while let token = remaining.popFirst() {
            if optionsEnded || !token.hasPrefix("-") || token == "-" {
                positional.append(token)
            } else if token == "--" {
                optionsEnded = true
                separator = positional.count
            } else if token.hasPrefix("--") {
                let body = token.dropFirst(2)
                let name = String(body.prefix { $0 != "=" })
                let inline = body.firstIndex(of: "=").map { String(body[body.index(after: $0)...]) }
                if let option = spec.option(named: name) {
                    try take(option, as: "--" + name, inline: inline)
                } else if name == "help" {
                    return .help(helpText(for: spec.name))
                } else if name == "version" {
                    return .version(version)
                } else {
                    var message = "unknown option '--\(name)' for '\(spec.name)'"
                    if let match = closestMatch(to: name, in: spec.options.map(\.name) + ["help"]) {
                        message += "; did you mean '--\(match)'?"
                    }
                    throw error(.unknownOption, "--" + name, message)
                }
            } else {
                let letters = token.dropFirst()
                if Self.isNegativeNumber(token), spec.option(short: letters.first!) == nil {
                    positional.append(token)
                    continue
                }
                // Bundled short options: flags until one that takes a value, which takes the rest.
                var index = letters.startIndex
                while index < letters.endIndex {
                    let letter = letters[index]
                    index = letters.index(after: index)
                    guard let option = spec.option(short: letter) else {
                        if letter == "h" { return .help(helpText(for: spec.name)) }
                        throw error(.unknownOption, "-\(letter)", "unknown option '-\(letter)' for '\(spec.name)'")
                    }
                    if option.kind == .flag {
                        parsed.flags.insert(option.name)
                        continue
                    }
                    let rest = index < letters.endIndex ? String(letters[index...]) : nil
                    try take(option, as: "-\(letter)", inline: rest)
                    break
                }
            }
        }

        var values = positional[...]
        for argument in spec.arguments {
            if let separator, separator < values.endIndex {
                parsed.literalPositionalStarts[argument.name] = max(0, separator - values.startIndex)
            }
            if argument.isVariadic {
                parsed.positionals[argument.name] = Array(values)
                values = []
            } else if let value = values.popFirst() {
                parsed.positionals[argument.name] = [value]
            }
            if parsed.positionals[argument.name, default: []].isEmpty {
                parsed.positionals[argument.name] = nil
                if !argument.isOptional {
                    throw error(.missingArgument, argument.name, "missing required argument '\(argument.name)'")
                }
            }
        }
        if let extra = values.first {
            throw error(.unexpectedArgument, extra, "unexpected argument '\(extra)'")
        }
        return .run(parsed)
    }
}
