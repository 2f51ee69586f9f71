import Taskiq

extension TaskiqRunner {
    /// `kick`: sends one task; with `--wait`, prints its return value as JSON on standard output.
    func kick(_ command: ParsedCommand, system: TaskiqSystem) async throws -> Int32 {
        let taskName = command.argument("TASK") ?? ""
        let (args, kwargs) = try Self.taskArguments(command.markedArguments("ARGS"))
        var labels = JSONObject()
        for pair in command.strings("label") {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw CommandLineError(code: .invalidValue, command: "kick", argument: pair,
                                       message: "'--label' expects KEY=VALUE, found '\(pair)'")
            }
            labels[String(pair[..<equals])] = Self.argumentValue(String(pair[pair.index(after: equals)...]))
        }
        let timeout = try Self.waitTimeout(command)
        let logger = Logger(label: "taskiq.kick")
        try await system.startup()
        do {
            let taskID = try await system.kick(taskName, args: args, kwargs: kwargs, labels: labels,
                                               taskID: command.string("task-id"))
            logger.debug("sent \(taskName) as \(taskID)")
            var status: Int32 = 0
            if command.flag("wait") {
                let result: TaskiqResult<JSONValue>
                do {
                    result = try await system.waitResult(taskID, task: taskName, timeout: timeout)
                } catch let error as TaskiqError where error.code == .resultTimeout {
                    throw TaskiqError(.resultTimeout, """
                        no result for task \(taskName) (\(taskID)) within \(formatSeconds(timeout)); \
                        is a worker running? Wait longer with --timeout SECONDS
                        """)
                }
                if result.isErr {
                    let reason = result.error.map(String.init(describing:)) ?? "unknown error"
                    Console.error("\(programName): task \(taskName) (\(taskID)) failed: \(reason)\n")
                    status = 1
                } else {
                    Console.out(Self.printedResult(result.returnValue ?? .null) + "\n")
                }
            } else {
                Console.out(taskID + "\n")
            }
            try await system.shutdown()
            return status
        } catch {
            try? await system.shutdown()
            throw error
        }
    }

    /// How long `kick --wait` waits when `--timeout` is not given.
    static let defaultWaitTimeout = Duration.seconds(60)
    /// The longest `--timeout` accepted: a year, far inside what a `Duration` holds.
    static let maximumWaitTimeout: Double = 365 * 86_400

    /// `--timeout`, checked: a positive number of seconds up to a year; 60 s when absent.
    static func waitTimeout(_ command: ParsedCommand) throws(CommandLineError) -> Duration {
        guard let seconds = try command.double("timeout") else { return defaultWaitTimeout }
        guard seconds > 0, seconds <= maximumWaitTimeout else {
            throw CommandLineError(code: .invalidValue, command: command.name, argument: command.string("timeout"),
                                   message: "'--timeout' expects a number of seconds above 0 and at most \(Int(maximumWaitTimeout)) (a year), found '\(command.string("timeout") ?? "")'")
        }
        return .milliseconds(Int((seconds * 1000).rounded(.up)))
    }

    /// A result as `kick --wait` prints it: compact JSON, with non-finite numbers written as
    /// Python writes them (`Infinity`, `-Infinity`, `NaN`) rather than as `null`, which would
    /// silently turn a value into another.
    static func printedResult(_ value: JSONValue) -> String {
        String(decoding: value.serialized(style: .init(spacedSeparators: false, asciiOnly: false, nonFiniteAsLiterals: true)),
               as: UTF8.self)
    }

    /// Positional and keyword arguments from `kick`'s ARGS: `name=value` (a Python identifier,
    /// then `=`) is a keyword argument unless it came after `--`; every value is read by
    /// ``argumentValue(_:)``.
    static func taskArguments(_ values: [(value: String, isLiteral: Bool)]) throws(CommandLineError) -> ([JSONValue], JSONObject) {
        var args: [JSONValue] = []
        var kwargs = JSONObject()
        for (text, isLiteral) in values {
            guard !isLiteral, let equals = text.firstIndex(of: "="), isIdentifier(text[..<equals]) else {
                args.append(argumentValue(text))
                continue
            }
            let name = String(text[..<equals])
            guard kwargs[name] == nil else {
                throw CommandLineError(code: .invalidValue, command: "kick", argument: text,
                                       message: "keyword argument '\(name)' is given twice; give each keyword once (or put '--' before a positional value containing '=')")
            }
            kwargs[name] = argumentValue(String(text[text.index(after: equals)...]))
        }
        return (args, kwargs)
    }

    /// Whether the text is a Python identifier in ASCII, as a task's parameter names are.
    private static func isIdentifier(_ text: Substring) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || ("a"..."z").contains(first) || ("A"..."Z").contains(first) else {
            return false
        }
        return text.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
    }

    /// An argument as JSON when it parses, otherwise as a plain string.
    static func argumentValue(_ text: String) -> JSONValue {
        (try? JSONParser().parse(text)) ?? .string(text)
    }
}
