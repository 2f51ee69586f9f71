import Taskiq
import TaskiqConfig

/// `bench`: measures the configured system end to end with no-op tasks and prints a report.
public struct BenchCommand: RunnerCommand {
    /// The name and help.
    public static let configuration = CommandConfiguration(
        "bench", abstract: "Measure the configured system end to end with no-op tasks.",
        discussion: """
            Kicks TASKS no-op tasks (taskiq.bench.noop, registered on the main broker whatever the \
            configuration loads) and prints tasks/s, kick-to-result latency percentiles, errors, drops, \
            CPU seconds and peak RSS. In throughput mode CONCURRENCY producers each kick a task and \
            await its result before the next; in latency mode one producer does. In memory mode \
            (in-memory broker only) every task is kicked at once to a gated no-op, and the growth of \
            resident memory per task in flight is printed.

            With the in-memory broker everything runs in this process. For other brokers the bench \
            starts worker.workers worker processes of this executable. When the workers' results are \
            not visible here (the dummy or in-memory result backend), the producers only send, and \
            each worker reports how many tasks it ran: drops are the tasks no worker ran.

            Build in release mode (swift build -c release) before measuring.
            """)

    /// `-c, --config`, `-n, --tasks`, `--concurrency`, `--payload`, `--mode`, `--json`, then the logging options.
    public static let options: [CommandOption<Self>] = [
        .configFile(\.config),
        .option("tasks", short: "n", valueName: "TASKS", help: "Tasks to run.", \.parameters.tasks, .positiveInteger),
        .option("concurrency", valueName: "N", help: "Producers in flight at once (throughput mode).",
                \.parameters.concurrency, .positiveInteger),
        .option("payload", valueName: "BYTES", help: "Length of the string argument each task gets.",
                \.parameters.payloadBytes, .nonNegativeInteger),
        .option("mode", valueName: "MODE",
                help: "throughput, latency (one task at a time) or memory (all in flight at once; in-memory broker).",
                \.parameters.mode, .choice),
        .flag("json", help: "Print one JSON object instead of the table.", \.parameters.json),
    ] + .group(\.logging)

    /// The configuration file.
    public var config: String?
    /// What to measure.
    package var parameters = BenchOptions()
    /// The logging overrides.
    public var logging = LoggingOptions()

    /// Creates the command with its defaults.
    public init() {}

    /// Runs ``BenchRun`` and prints its report; 1 when a task failed.
    public func run(_ context: CommandContext) async throws -> Int32 {
        // The producer's info lines would land in the report.
        let system = try context.runner.assemble(config: config, logging: logging.quieted(to: "warning"),
                                                 environment: context.environment)
        let report = try await BenchRun(system: system, options: parameters, configFile: system.configuration.file).run()
        if parameters.json {
            Console.out(String(decoding: report.json.serialized(style: .compact), as: UTF8.self) + "\n")
        } else {
            Console.out(report.text)
        }
        return report.errors > 0 ? 1 : 0
    }
}
