@testable import TaskiqConfig

/// A command set shaped like `taskiq-run`'s, shared by the parser and help tests.
enum SampleCommands {
    static let config = OptionSpec(
        "config", short: "c", valueName: "FILE", help: "Configuration file to load.", defaultValue: "taskiq.json")

    static let worker = CommandSpec(
        "worker",
        abstract: "Run workers that execute tasks from the broker.",
        discussion: """
            Starts the configured number of worker processes and restarts any that exit \
            unexpectedly. Stops on SIGINT or SIGTERM after in-flight tasks finish.

            Options given here override the configuration file.
            """,
        options: [
            config,
            OptionSpec("workers", short: "w", valueName: "N", help: "Number of worker processes."),
            OptionSpec("timeout", valueName: "SECONDS", help: "Seconds to wait for tasks on shutdown."),
            OptionSpec("label", short: "l", valueName: "KEY=VALUE", help: "Label added to every task.", kind: .repeatable),
            .flag("verbose", short: "v", help: "Log every task."),
            .flag("quiet", short: "q", help: "Log only errors."),
        ])

    static let check = CommandSpec("check", abstract: "Validate a configuration file.", options: [config])

    static let kick = CommandSpec(
        "kick",
        abstract: "Send one task and optionally wait for its result.",
        options: [
            config,
            .flag("wait", help: "Wait for the result and print it."),
            OptionSpec("label", short: "l", valueName: "KEY=VALUE", help: "Label for the task.", kind: .repeatable),
        ],
        arguments: [
            ArgumentSpec("TASK", help: "Task name, such as examples.add."),
            ArgumentSpec("ARGS", help: "Arguments, each parsed as JSON.", isOptional: true, isVariadic: true),
        ])

    static let parser = CommandLineParser(
        programName: "taskiq-run",
        version: "0.1.0",
        abstract: "Run Taskiq workers and schedulers from a configuration file.",
        commands: [worker, check, kick],
        defaultCommand: "worker")

    /// Parses and expects a command to run.
    static func run(_ arguments: [String]) throws -> ParsedCommand {
        guard case .run(let command) = try parser.parse(arguments) else {
            throw CommandLineError(code: .missingCommand, message: "expected a command to run for \(arguments)")
        }
        return command
    }

    /// Parses and returns the error thrown.
    static func error(_ arguments: [String], parser: CommandLineParser = parser) -> CommandLineError? {
        do {
            _ = try parser.parse(arguments)
            return nil
        } catch {
            return error
        }
    }
}
