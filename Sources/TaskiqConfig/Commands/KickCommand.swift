import Taskiq

/// `kick`: sends one task; with `--wait`, prints its return value as JSON on standard output.
public struct KickCommand: RunnerCommand {
    /// The name and help.
    public static let configuration = CommandConfiguration(
        "kick", abstract: "Send one task and optionally wait for its result.",
        discussion: """
            Each argument is parsed as JSON and sent as a string when it is not JSON (JSON nested \
            deeper than 512 levels is refused, exit status 2). NAME=VALUE \
            (NAME a Python identifier) is a keyword argument, such as 'kick examples.add a=1 b=2'; \
            positional and keyword arguments may be mixed, and every value after '--' is \
            positional even if it contains '='. The task goes \
            to the broker its module is routed to ("tasks.routes"), else the main one. With the \
            in-memory broker the task runs in this process. With --wait the return value is \
            printed as JSON alone on standard output; the exit status is 1 if the task failed. \
            Arguments are checked against the task's compiled parameters first (count, names, \
            types, worker.cast_types), and the message against worker.limits: one that does not \
            fit, or a message every worker would reject, exits with status 2 and sends nothing.
            """)

    /// `-c, --config`, `-l, --label`, `--task-id`, `--then`, `--wait`, `--timeout`, then the logging options.
    public static let options: [CommandOption<Self>] =
        [
            .configFile(\.config),
            .repeatable("label", short: "l", valueName: "KEY=VALUE", help: "A label for the task (VALUE parsed as JSON).", \.labels),
            .option("task-id", valueName: "ID", help: "Use this task ID instead of a generated one.", \.taskID, .string),
            .repeatable("then", valueName: "STEP", help: pipelineStepHelp, \.then),
            .flag("wait", help: "Wait for the result and print it.", \.wait),
            .option(
                "timeout", valueName: "SECONDS",
                help: "Give up waiting after this long (with --wait; default 60, exit 1 when it runs out).",
                \.timeout,
                OptionValue.number.constrained(
                    "a number of seconds above 0 and at most \(Int(maximumWaitTimeout)) (a year)"
                ) { $0 > 0 && $0 <= maximumWaitTimeout }),
        ] + .group(\.logging)

    /// `TASK [ARGS ...]`.
    public static let arguments: [CommandArgument<Self>] = [
        .required("TASK", help: "Task name, such as examples.add.", \.task),
        .variadic("ARGS", help: "Arguments, each parsed as JSON: VALUE is positional, NAME=VALUE a keyword argument.", \.arguments),
    ]

    /// The configuration file.
    public var config: String?
    /// `KEY=VALUE` labels, in the order given.
    public var labels: [String] = []
    /// The task ID to use instead of a generated one.
    public var taskID: String?
    /// Pipeline steps after the task (`--then`), in order; see `pipelineStepHelp`.
    public var then: [String] = []
    /// Whether to wait for the result and print it.
    public var wait = false
    /// How long to wait, in seconds; `defaultWaitTimeout` when `nil`.
    public var timeout: Double?
    /// The logging overrides.
    public var logging = LoggingOptions()
    /// The task's name.
    public var task = ""
    /// The task's arguments as typed.
    public var arguments: [PositionalValue] = []

    /// Creates the command with its defaults.
    public init() {}

    /// How long `kick --wait` waits when `--timeout` is not given.
    static let defaultWaitTimeout = Duration.seconds(60)
    /// The longest `--timeout` accepted: a year, far inside what a `Duration` holds.
    static let maximumWaitTimeout: Double = 365 * 86_400

    /// `--timeout` as a duration, rounded up to the millisecond; 60 s when absent.
    var waitTimeout: Duration {
        timeout.map { .milliseconds(Int(($0 * 1000).rounded(.up))) } ?? Self.defaultWaitTimeout
    }

    /// Checks the labels and the keyword arguments.
    public func validate() throws(CommandLineError) {
        _ = try labelObject()
        _ = try Self.taskArguments(arguments)
        _ = try Self.pipelineSteps(then)
        if !then.isEmpty, taskID != nil {
            throw CommandLineError(
                code: .invalidValue, command: Self.configuration.name, argument: "--task-id",
                message: "'--task-id' cannot be used with '--then': each pipeline step gets its own ID")
        }
    }

    /// The `--label` values as an object, each value read by ``argumentValue(_:path:)``.
    func labelObject() throws(CommandLineError) -> JSONObject {
        var object = JSONObject()
        for pair in labels {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw CommandLineError(
                    code: .invalidValue, command: Self.configuration.name, argument: pair,
                    message: "'--label' expects KEY=VALUE, found '\(pair)'")
            }
            object[String(pair[..<equals])] = try Self.argumentValue(
                String(pair[pair.index(after: equals)...]), path: "labels.\(pair[..<equals])")
        }
        return object
    }

    /// Sends the task; with `--wait`, prints its result, and returns 1 if it failed.
    public func run(_ context: CommandContext) async throws -> Int32 {
        let (args, kwargs) = try Self.taskArguments(arguments)
        let labels = try labelObject()
        let timeout = waitTimeout
        let system = try context.runner.assemble(config: config, logging: logging, environment: context.environment)
        try system.checkArguments(task, args: args, kwargs: kwargs, labels: labels)
        let logger = Logger(label: "taskiq.kick")
        try await system.startup()
        do {
            var taskID: String
            var resultTask = task
            if then.isEmpty {
                taskID = try await system.kick(task, args: args, kwargs: kwargs, labels: labels, taskID: self.taskID)
            } else {
                (taskID, resultTask) = try await kickPipeline(system, args: args, kwargs: kwargs, labels: labels)
            }
            logger.debug("sent \(task) as \(taskID)")
            var status: Int32 = 0
            if wait {
                let result: TaskiqResult<JSONValue>
                do {
                    result = try await system.waitResult(taskID, task: resultTask, timeout: timeout)
                } catch let error as TaskiqError where error.code == .resultTimeout {
                    throw TaskiqError(
                        .resultTimeout,
                        """
                        no result for task \(task) (\(taskID)) within \(formatSeconds(timeout)); \
                        is a worker running? Wait longer with --timeout SECONDS
                        """)
                }
                if result.isErr {
                    let reason = result.error.map(String.init(describing:)) ?? "unknown error"
                    Console.error("\(context.runner.programName): task \(task) (\(taskID)) failed: \(reason)\n")
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

    /// A result as `kick --wait` prints it: compact JSON, with non-finite numbers written as
    /// Python writes them (`Infinity`, `-Infinity`, `NaN`) rather than as `null`, which would
    /// silently turn a value into another.
    static func printedResult(_ value: JSONValue) -> String {
        String(
            decoding: value.serialized(style: .init(spacedSeparators: false, asciiOnly: false, nonFiniteAsLiterals: true)),
            as: UTF8.self)
    }

    /// Positional and keyword arguments from `kick`'s ARGS: `name=value` (a Python identifier,
    /// then `=`) is a keyword argument unless it came after `--`; every value is read by
    /// ``argumentValue(_:path:)``.
    static func taskArguments(_ values: [PositionalValue]) throws(CommandLineError) -> ([JSONValue], JSONObject) {
        var args: [JSONValue] = []
        var kwargs = JSONObject()
        for argument in values {
            let text = argument.value
            guard !argument.isLiteral, let equals = text.firstIndex(of: "="), isIdentifier(text[..<equals]) else {
                args.append(try argumentValue(text, path: "args[\(args.count)]"))
                continue
            }
            let name = String(text[..<equals])
            guard kwargs[name] == nil else {
                throw CommandLineError(
                    code: .invalidValue, command: configuration.name, argument: text,
                    message:
                        "keyword argument '\(name)' is given twice; give each keyword once (or put '--' before a positional value containing '=')"
                )
            }
            kwargs[name] = try argumentValue(String(text[text.index(after: equals)...]), path: "kwargs.\(name)")
        }
        return (args, kwargs)
    }

    /// Whether the text is a Python identifier in ASCII, as a task's parameter names are.
    private static func isIdentifier(_ text: Substring) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || ("a"..."z").contains(first) || ("A"..."Z").contains(first) else {
            return false
        }
        return text.unicodeScalars.allSatisfy {
            $0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
        }
    }

    /// An argument as JSON when it parses, otherwise as a plain string.
    /// - Parameters:
    ///   - text: The value as typed.
    ///   - path: Where the value goes (`args[0]`, `kwargs.x`, `labels.x`), for the error.
    /// - Throws: `invalidValue` for JSON nested deeper than the parser's 512 levels: that text is
    ///   JSON, and sending it as a string would run the task with another value.
    static func argumentValue(_ text: String, path: String = "value") throws(CommandLineError) -> JSONValue {
        let parser = JSONParser()
        do {
            return try parser.parse(text)
        } catch  where error.code == .tooDeep {
            throw CommandLineError(
                code: .invalidValue, command: configuration.name, argument: String(text.prefix(80)),
                message:
                    "\(configuration.name): \(path): JSON nested deeper than \(parser.maximumDepth) levels (at byte \(error.offset)); nothing was sent"
            )
        } catch {
            return .string(text)
        }
    }
}
