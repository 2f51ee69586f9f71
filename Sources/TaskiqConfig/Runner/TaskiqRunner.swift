import Foundation
import Taskiq

/// The `taskiq-run` command line: your own worker executable in three lines.
///
/// ```swift
/// import TaskiqConfig
/// await TaskiqRunner(modules: [BillingTasks.module]).main()
/// ```
/// Subcommands: `worker` (default), `scheduler`, `check`, `tasks`, `kick`, `cancel`, `dead-letters`, `bench`, `soak` and `schema`; run with
/// `--help`.
/// Configuration errors exit with status 2 and one line on standard error; a failed task
/// (`kick --wait`) or a runtime failure exits with status 1.
public struct TaskiqRunner: Sendable {
    /// The compiled-in task modules the configuration can select.
    public var modules: [TaskModule]
    /// The component types the configuration can name.
    public var registry: ComponentRegistry
    /// The name used in usage lines.
    public var programName: String
    /// The version printed by `--version`.
    public var version: String

    /// Creates a runner.
    /// - Parameters:
    ///   - modules: The compiled-in task modules.
    ///   - registry: The component types; ``ComponentRegistry/standard`` plus your own.
    ///   - programName: The name used in usage lines.
    ///   - version: The version printed by `--version`.
    public init(modules: [TaskModule], registry: ComponentRegistry = .standard,
                programName: String = "taskiq-run", version: String = "0.1.0") {
        self.modules = modules
        self.registry = registry
        self.programName = programName
        self.version = version
    }

    /// Runs with the process's arguments and environment, then exits with the command's status.
    public func main() async -> Never {
        let status = await run(Array(CommandLine.arguments.dropFirst()))
        exit(status)
    }

    /// Runs one command line and returns the exit status: 0 on success, 1 when a task or the
    /// runtime failed, 2 for a configuration or usage error.
    /// - Parameters:
    ///   - arguments: The arguments without the program name.
    ///   - environment: The variables `${VAR}` and `TASKIQ_CONFIG` read; the process's by default.
    public func run(_ arguments: [String], environment: [String: String]? = nil) async -> Int32 {
        let environment = environment ?? ProcessInfo.processInfo.environment
        do {
            switch try parser.parse(arguments) {
            case .help(let text):
                Console.out(text)
                return 0
            case .version(let text):
                Console.out(text + "\n")
                return 0
            case .run(let command):
                return try await dispatch(command, arguments: arguments, environment: environment)
            }
        } catch let error as CommandLineError {
            let command = error.command.map { " \($0)" } ?? ""
            Console.error("\(programName): \(error.message)\nRun '\(programName)\(command) --help' for usage.\n")
            return Self.exitStatus(for: error)
        } catch {
            Console.error("\(programName): \(Self.oneLine(error))\n")
            return Self.exitStatus(for: error)
        }
    }

    /// The exit status for an error: 2 for configuration and usage errors, 1 for anything else.
    public static func exitStatus(for error: any Error) -> Int32 {
        switch error {
        case is ConfigError, is CommandLineError: 2
        default: 1
        }
    }

    static func oneLine(_ error: any Error) -> String {
        String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    private func dispatch(_ command: ParsedCommand, arguments: [String], environment: [String: String]) async throws -> Int32 {
        switch command.name {
        case "schema":
            Console.out(registry.jsonSchema().prettyPrinted + "\n")
            return 0
        case "check":
            return try await check(try assemble(command, environment: environment))
        case "tasks":
            return listTasks(try assemble(command, environment: environment))
        case "scheduler":
            return try await scheduler(try assemble(command, environment: environment))
        case "kick":
            return try await kick(command, system: try assemble(command, environment: environment))
        case "cancel":
            return try await cancel(command, system: try assemble(command, environment: environment))
        case "dead-letters":
            return try await deadLetters(command, system: try assemble(command, environment: environment))
        case "bench":
            return try await bench(command, environment: environment)
        case "soak":
            return try await soak(command, environment: environment)
        default:
            return try await worker(command, system: try assemble(command, environment: environment),
                                    arguments: arguments, environment: environment)
        }
    }

    /// Standard error, or the opened `worker.log_file`: an unwritable file is a configuration error at its path.
    static func logSink(_ configuration: TaskiqConfiguration) throws(ConfigError) -> any LogSink {
        guard let path = configuration.worker.logFile else { return FileDescriptorLogSink.standardError }
        do {
            return try FileLogSink(path: path, format: configuration.worker.logFormat)
        } catch {
            let at = JSONPath.root.key("worker").key("log_file")
            throw ConfigError(.unwritableFile, file: configuration.document.origin(of: at), path: at.text,
                              "\(error.message); expected a path to a file this process can append to")
        }
    }

    /// Loads the file, applies command-line overrides, validates, assembles and sets up logging.
    func assemble(_ command: ParsedCommand, environment: [String: String]) throws -> TaskiqSystem {
        let loader = ConfigLoader(environment: environment)
        var document = try loader.load(try loader.configFile(explicit: command.string("config")))
        if let workers = command.string("workers") {
            document.override(section: "worker", key: "workers", with: .string(workers), source: "--workers")
        }
        if let level = command.string("log-level") {
            document.override(section: "worker", key: "log_level", with: .string(level), source: "--log-level")
        } else if command.flag("verbose") {
            document.override(section: "worker", key: "log_level", with: "debug", source: "--verbose")
        }
        if let format = command.string("log-format") {
            document.override(section: "worker", key: "log_format", with: .string(format), source: "--log-format")
        }
        let configuration = try TaskiqConfiguration(document: document, registry: registry, modules: modules)
        LoggingSystem.bootstrap(LoggingConfiguration(format: configuration.worker.logFormat,
                                                     minimumLevel: configuration.worker.logLevel,
                                                     sink: try Self.logSink(configuration)))
        return try TaskiqSystem(configuration: configuration, modules: modules)
    }
}
