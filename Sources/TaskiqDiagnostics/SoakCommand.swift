import Taskiq
import TaskiqConfig

/// `soak`: kicks numbered tasks and counts, from the workers' own records, which ran, twice or never.
public struct SoakCommand: RunnerCommand {
    /// The name and help.
    public static let configuration = CommandConfiguration(
        "soak", abstract: "Kick numbered tasks and count, from the workers' own records, which ran, twice or never.",
        discussion: """
            Kicks TASKS tasks taskiq.soak.record(sequence) with sequence numbers 0..TASKS-1 through the \
            main broker; CONCURRENCY producers each await a result before kicking the next. Workers \
            started with TASKIQ_SOAK_RECORDS=DIR load that task and append each sequence number they run \
            to DIR/records-<pid>.txt (one write(2) before the task returns, so a killed worker hides \
            nothing). Afterwards the files are read: executed = distinct sequence numbers, duplicated = \
            lines beyond the first per number, lost = kicked numbers never recorded.

            The exit status is 0 (PASS) when nothing was lost, every task was kicked and every result \
            arrived; 1 (FAIL) otherwise. scripts/soak.sh runs redis-server, the workers, the kills and \
            the memory sampling around this command.
            """)

    /// `-c, --config`, `--records`, `-n, --tasks`, `--concurrency`, the time limits, `--progress`,
    /// then the logging options.
    public static let options: [CommandOption<Self>] =
        [
            .configFile(\.config),
            .option(
                "records", valueName: "DIR", help: "The workers' record directory (default: $TASKIQ_SOAK_RECORDS).",
                \.records, .string),
            .option("tasks", short: "n", valueName: "TASKS", help: "Tasks to kick.", \.parameters.tasks, .positiveInteger),
            .option("concurrency", valueName: "N", help: "Producers in flight at once.", \.parameters.concurrency, .positiveInteger),
            .option(
                "max-seconds", valueName: "SECONDS", help: "Stop kicking after this long (the run then fails as incomplete).",
                \.parameters.maxDuration, .seconds()),
            .option(
                "result-timeout", valueName: "SECONDS", help: "How long one result may take.",
                \.parameters.resultTimeout, .seconds()),
            .option(
                "drain-seconds", valueName: "SECONDS", help: "How long the records may lag behind the results.",
                \.parameters.drainTimeout, .seconds(allowZero: true)),
            .option(
                "progress", valueName: "SECONDS", help: "Seconds between progress lines on standard error; 0 for none.",
                \.parameters.progressInterval, .secondsOrZeroForNone),
        ] + .group(\.logging)

    /// The configuration file.
    public var config: String?
    /// The workers' record directory; `$TASKIQ_SOAK_RECORDS` when `nil`.
    public var records: String?
    /// How many tasks, how hard and how long; ``SoakOptions/records`` is filled in by ``options(environment:)``.
    package var parameters = SoakOptions()
    /// The logging overrides.
    public var logging = LoggingOptions()

    /// Creates the command with its defaults.
    public init() {}

    /// The soak's options with the record directory: `--records`, else ``SoakRecorder/directoryVariable``.
    /// - Throws: ``CommandLineError`` when neither names one.
    package func options(environment: [String: String]) throws(CommandLineError) -> SoakOptions {
        guard let records = records ?? environment[SoakRecorder.directoryVariable], !records.isEmpty else {
            throw CommandLineError(
                code: .invalidValue, command: Self.configuration.name, argument: "records",
                message: "'--records DIR' is required (or set \(SoakRecorder.directoryVariable)): "
                    + "the directory the workers append executed sequence numbers to")
        }
        var options = parameters
        options.records = records
        return options
    }

    /// Runs `SoakRun` and prints its report; 0 only when it passed.
    public func run(_ context: CommandContext) async throws -> Int32 {
        let options = try options(environment: context.environment)
        // The producer's info lines would land in the report.
        let system = try context.runner.assemble(
            config: config, logging: logging.quieted(to: "warning"),
            environment: context.environment)
        let report = try await SoakRun(system: system, options: options).run()
        Console.out(report.text)
        return report.passed ? 0 : 1
    }
}
