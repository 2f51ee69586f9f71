import Taskiq

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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
    /// Commands and worker hooks beyond the standard ones.
    public var extensions: [RunnerExtension]

    /// Creates a runner.
    /// - Parameters:
    ///   - modules: The compiled-in task modules.
    ///   - registry: The component types; ``ComponentRegistry/standard`` plus your own.
    ///   - programName: The name used in usage lines.
    ///   - version: The version printed by `--version`.
    ///   - extensions: Commands and worker hooks beyond the standard ones, such as `.diagnostics`
    ///     from `TaskiqDiagnostics`.
    public init(
        modules: [TaskModule], registry: ComponentRegistry = .standard,
        programName: String = "taskiq-run", version: String = "0.1.0", extensions: [RunnerExtension] = []
    ) {
        self.modules = modules
        self.registry = registry
        self.programName = programName
        self.version = version
        self.extensions = extensions
    }

    /// The subcommands, in the order help lists them: the standard ones, the extensions', `schema`.
    public var commands: [any RunnerCommand.Type] {
        let standard: [any RunnerCommand.Type] = [
            WorkerCommand.self, SchedulerCommand.self, CheckCommand.self, TasksCommand.self, KickCommand.self,
            CancelCommand.self, DeadLettersCommand.self,
        ]
        return standard + extensions.flatMap(\.commands) + [SchemaCommand.self]
    }

    /// The hooks every worker process calls.
    var workerHooks: [any WorkerHook] { extensions.flatMap(\.workerHooks) }

    /// The parser of the command line, built from the commands' declarations.
    var parser: CommandLineParser {
        CommandLineParser(
            programName: programName, version: version,
            abstract: "Run Taskiq workers and send tasks, assembled from a JSON configuration file.",
            commands: commands.map { $0.spec },
            defaultCommand: WorkerCommand.configuration.name)
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
            case .run(let parsed):
                guard let command = commands.first(where: { $0.configuration.name == parsed.name }) else {
                    preconditionFailure("the parser returns only the commands it was given")
                }
                let context = CommandContext(runner: self, arguments: arguments, environment: environment)
                return try await Self.execute(command, parsed, context: context)
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

    private static func execute<Command: RunnerCommand>(
        _ type: Command.Type, _ parsed: ParsedCommand,
        context: CommandContext
    ) async throws -> Int32 {
        try await type.execute(parsed, context: context)
    }

    /// Standard error, or the opened `worker.log_file`: an unwritable file is a configuration error at its path.
    static func logSink(_ configuration: TaskiqConfiguration) throws(ConfigError) -> any LogSink {
        guard let path = configuration.worker.logFile else { return FileDescriptorLogSink.standardError }
        do {
            return try FileLogSink(path: path, format: configuration.worker.logFormat)
        } catch {
            let at = JSONPath.root.key("worker").key("log_file")
            throw ConfigError(
                .unwritableFile, file: configuration.document.origin(of: at), path: at.text,
                "\(error.message); expected a path to a file this process can append to")
        }
    }

    /// Loads the file, applies command-line overrides, validates, assembles and sets up logging.
    /// - Parameters:
    ///   - config: `--config`: the file; `$TASKIQ_CONFIG`, then `taskiq.json`, when `nil`.
    ///   - workers: `--workers`: overrides `worker.workers`.
    ///   - logging: The logging overrides.
    ///   - environment: The variables `${VAR}` and `TASKIQ_CONFIG` read.
    public func assemble(
        config: String?, workers: String? = nil, logging: LoggingOptions,
        environment: [String: String]
    ) throws -> TaskiqSystem {
        let loader = ConfigLoader(environment: environment)
        var document = try loader.load(try loader.configFile(explicit: config))
        if let workers {
            document.override(section: "worker", key: "workers", with: .string(workers), source: "--workers")
        }
        if let level = logging.logLevel {
            document.override(section: "worker", key: "log_level", with: .string(level), source: "--log-level")
        } else if logging.verbose {
            document.override(section: "worker", key: "log_level", with: "debug", source: "--verbose")
        }
        if let format = logging.logFormat {
            document.override(section: "worker", key: "log_format", with: .string(format), source: "--log-format")
        }
        let configuration = try TaskiqConfiguration(document: document, registry: registry, modules: modules)
        LoggingSystem.bootstrap(
            LoggingConfiguration(
                format: configuration.worker.logFormat,
                minimumLevel: configuration.worker.logLevel,
                sink: try Self.logSink(configuration)))
        return try TaskiqSystem(configuration: configuration, modules: modules)
    }
}
