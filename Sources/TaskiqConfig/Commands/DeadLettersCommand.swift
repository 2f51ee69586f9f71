import Taskiq
import TaskiqNATS
import TaskiqRabbitMQ
import TaskiqRedis

/// `dead-letters`: lists, replays or purges the letters of the configured destination.
public struct DeadLettersCommand: RunnerCommand {
    /// The name and help.
    public static let configuration = CommandConfiguration(
        "dead-letters", abstract: "List, replay or purge the dead letters.",
        discussion: """
            Dead letters are messages that could not or must not run: undecodable messages, unknown task \
            names, tasks whose retries are exhausted (see dead_letters.failed_tasks) and Redis stream entries \
            delivered more than max_deliveries times. They are kept in the "dead_letters" destination of the \
            file or, without one, where the broker keeps its own: the <queue_name>:dead stream of a \
            redis_stream broker, the dead-letter queue of a rabbitmq broker, the dead-letter stream of a \
            nats_jetstream broker (--broker picks which; the main broker by default).

            list prints the newest letters first (id, time, reason, task, message); --json prints one JSON \
            object per line with the original message bytes. retry ID sends the letter's original bytes again \
            through the broker its task is routed to (else the broker it came from, else the main broker) and \
            removes the letter once sent; retry --all does so for every letter, oldest first. A task whose \
            retries were exhausted gets one more attempt. purge removes every letter and prints how many.
            """)

    /// What the command does with the letters.
    public enum Action: String, Sendable, CaseIterable {
        /// Print them.
        case list
        /// Send them again and remove them.
        case retry
        /// Remove them all.
        case purge
    }

    /// `-c, --config`, `--broker`, `-n, --limit`, `--oldest-first`, `--json`, `--all`, then the logging options.
    public static let options: [CommandOption<Self>] =
        [
            .configFile(\.config),
            .broker(
                \.broker,
                help: "Without a dead_letters section: the broker (redis_stream, rabbitmq or nats_jetstream) whose own dead letters to use."
            ),
            .option("limit", short: "n", valueName: "N", help: "List at most N letters.", \.limit, .positiveInteger),
            .flag("oldest-first", help: "List the oldest letters first.", \.oldestFirst),
            .flag("json", help: "List letters as JSON lines, with their message bytes.", \.json),
            .flag("all", help: "With retry: replay every letter.", \.all),
        ] + .group(\.logging)

    /// `[ACTION] [ID]`.
    public static let arguments: [CommandArgument<Self>] = [
        .optional("ACTION", help: "list (the default), retry or purge.", \.action),
        .optional("ID", help: "With retry: the letter to replay.", \.id),
    ]

    /// The configuration file.
    public var config: String?
    /// Without a `dead_letters` section, the broker whose dead-letter stream to use.
    public var broker: String?
    /// The most letters `list` prints.
    public var limit = 50
    /// Whether `list` prints the oldest letters first.
    public var oldestFirst = false
    /// Whether `list` prints JSON lines.
    public var json = false
    /// Whether `retry` replays every letter.
    public var all = false
    /// The logging overrides.
    public var logging = LoggingOptions()
    /// `list`, `retry` or `purge` as typed; `list` when `nil`.
    public var action: String?
    /// With `retry`, the letter to replay.
    public var id: String?

    /// Creates the command with its defaults.
    public init() {}

    /// The action, checked: `list` when none was given.
    func checkedAction() throws(CommandLineError) -> Action {
        let action = self.action ?? Action.list.rawValue
        guard let parsed = Action(rawValue: action) else {
            let names = Action.allCases.map(\.rawValue)
            var message = "unknown action '\(action)'"
            if let match = closestMatch(to: action, in: names) { message += "; did you mean '\(match)'?" }
            throw usage(message + "; expected one of: \(names.joined(separator: ", "))", action)
        }
        return parsed
    }

    private func usage(_ message: String, _ argument: String? = nil) -> CommandLineError {
        CommandLineError(code: .invalidValue, command: Self.configuration.name, argument: argument, message: message)
    }

    /// Checks the action against `ID` and `--all`.
    public func validate() throws(CommandLineError) {
        if try checkedAction() == .retry {
            if id == nil && !all { throw usage("retry needs the ID of a letter, or --all") }
            if id != nil && all { throw usage("retry takes an ID or --all, not both", id) }
        } else if let id {
            throw usage("unexpected argument '\(id)': only retry takes an ID", id)
        }
    }

    /// Lists, replays or purges, then shuts the system down.
    public func run(_ context: CommandContext) async throws -> Int32 {
        let action = try checkedAction()
        let system = try context.runner.assemble(config: config, logging: logging, environment: context.environment)
        let (queue, destination) = try deadLetterDestination(system: system)

        try await system.startup()
        do {
            let status: Int32
            switch action {
            case .retry:
                status = try await Self.retryDeadLetters(id: id, queue: queue, destination: destination, system: system)
            case .purge:
                let count = try await queue.purge()
                Console.out("purged \(count) dead letter\(count == 1 ? "" : "s") from \(destination)\n")
                status = 0
            case .list:
                let letters = try await queue.list(order: oldestFirst ? .oldestFirst : .newestFirst, limit: limit)
                if json {
                    Console.out(letters.map { String(decoding: $0.jsonValue.serialized(style: .compact), as: UTF8.self) + "\n" }.joined())
                } else if letters.isEmpty {
                    Console.out("no dead letters in \(destination)\n")
                } else {
                    Console.out(Self.deadLetterTable(letters))
                }
                status = 0
            }
            try await system.shutdown()
            return status
        } catch {
            try? await system.shutdown()
            throw error
        }
    }

    /// The queue the command works on, with a description for messages.
    func deadLetterDestination(system: TaskiqSystem) throws -> (any DeadLetterQueue, String) {
        let configuration = system.configuration
        if let settings = configuration.deadLetters, let queue = system.deadLetterQueue {
            if settings.queue.type.isProcessLocal {
                throw ConfigError(
                    .impossibleSettings, file: settings.queue.file, path: settings.queue.path,
                    """
                    the '\(settings.queue.type.name)' dead-letter queue lives inside each worker process, so this \
                    command cannot read it; expected a queue other processes can read, such as {"type": "file", \
                    "path": "dead-letters.jsonl"} or {"type": "redis"}
                    """)
            }
            return (queue, Self.describe(queue))
        }
        let name = try system.brokerName(forOption: broker, command: Self.configuration.name)
        guard let broker = system.broker(named: name) else { preconditionFailure("a checked broker name") }
        guard let queue = broker.components.deadLetterQueue else {
            let type = configuration.brokerSettings(named: name)?.broker.type.name ?? "?"
            throw ConfigError(
                .missingKey, file: configuration.file, path: "dead_letters",
                """
                missing, and the '\(type)' broker '\(name)' keeps no dead letters of its own; expected a \
                dead_letters section such as {"type": "file", "path": "dead-letters.jsonl"} or {"type": "redis"}
                """)
        }
        return (queue, Self.describe(queue))
    }

    static func describe(_ queue: any DeadLetterQueue) -> String {
        switch queue {
        case let redis as RedisStreamDeadLetterQueue: "Redis stream '\(redis.stream)' on \(redis.address)"
        case let file as FileDeadLetterQueue: "file \(file.path)"
        case let rabbitmq as RabbitMQDeadLetterQueue: "RabbitMQ queue '\(rabbitmq.queue)' on \(rabbitmq.url)"
        case let nats as NATSDeadLetterQueue: "NATS JetStream stream '\(nats.stream)'"
        default: "\(type(of: queue))"
        }
    }

    /// `retry ID` or `retry --all`: kicks each letter's bytes, then removes it.
    private static func retryDeadLetters(
        id: String?, queue: any DeadLetterQueue, destination: String,
        system: TaskiqSystem
    ) async throws -> Int32 {
        let letters: [DeadLetter]
        if let id {
            guard let letter = try await queue.letter(id: id) else {
                throw TaskiqError(.deadLetterQueue, "no dead letter with ID '\(id)' in \(destination); 'dead-letters list' shows the IDs")
            }
            letters = [letter]
        } else {
            letters = try await queue.list(order: .oldestFirst, limit: nil)
        }
        for letter in letters {
            let (broker, brokerName) = replayBroker(for: letter, system: system)
            let labels = (try? broker.components.formatter.loads(letter.data))?.labels ?? [:]
            try await broker.kick(
                BrokerMessage(
                    taskID: letter.taskID ?? "", taskName: letter.taskName ?? "",
                    message: letter.data, labels: labels))
            let removed = try await queue.remove(id: letter.id)
            let task = letter.taskName.map { "task \($0) (\(letter.taskID ?? "no ID"))" } ?? "\(letter.data.count) bytes"
            Console.out("retried \(letter.id): \(task) sent through broker '\(brokerName)'\n")
            if !removed {
                Console.error(
                    "warning: \(letter.id) was already gone from \(destination) after it was sent: another 'dead-letters retry' or 'purge' ran at the same time, so it may have been sent twice\n"
                )
            }
        }
        if id == nil {
            Console.out("retried \(letters.count) dead letter\(letters.count == 1 ? "" : "s") from \(destination)\n")
        }
        return 0
    }

    /// The broker a letter is replayed through: its task's, else the one it came from, else the main one.
    static func replayBroker(for letter: DeadLetter, system: TaskiqSystem) -> (any AsyncBroker, String) {
        if let task = letter.taskName, let broker = system.broker(forTask: task),
            let index = system.brokers.firstIndex(where: { $0 === broker })
        {
            return (broker, system.brokerNames[index])
        }
        if let name = letter.broker, let broker = system.broker(named: name) { return (broker, name) }
        return (system.broker, TaskiqConfiguration.defaultBrokerName)
    }

    /// The `list` table: one line per letter, the message cut to fit a terminal line.
    static func deadLetterTable(_ letters: [DeadLetter]) -> String {
        let rows = letters.map { letter in
            [
                letter.id, String(letter.isoTimestamp.prefix(19)) + "Z", letter.reason.name, letter.taskName ?? "-",
                letter.message.split(whereSeparator: \.isNewline).joined(separator: " "),
            ]
        }
        let header = ["ID", "TIME", "REASON", "TASK", "MESSAGE"]
        var widths = header.map(\.count)
        for row in rows { for index in 0..<4 { widths[index] = max(widths[index], row[index].count) } }
        func line(_ row: [String]) -> String {
            var text = ""
            for index in 0..<4 { text += row[index] + String(repeating: " ", count: max(0, widths[index] + 2 - row[index].count)) }
            let message = row[4].count > 100 ? String(row[4].prefix(99)) + "…" : row[4]
            return text + message + "\n"
        }
        return line(header) + rows.map(line).joined()
    }
}
