import Taskiq
import TaskiqConfig

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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
            resident memory per task in flight is printed. In open-loop mode tasks are kicked at RATE per \
            second whatever the completions, and each latency runs from the moment its task was due \
            (p50, p99 and p99.9 without coordinated omission). In depth mode every task is queued with no \
            worker running, the broker server's memory is read (Redis's used_memory, or the resident memory \
            of the process --broker-pid names, for any broker), then the workers are started and the drain \
            is timed.

            With the in-memory broker everything runs in this process. For other brokers the bench \
            starts worker.workers worker processes of this executable. When the workers' results are \
            not visible here (the dummy or in-memory result backend), the producers only send, and \
            each worker reports how many tasks it ran: drops are the tasks no worker ran.

            bench chart --input RESULT.json --output CHART.svg draws the charts of a sweep's result file \
            (bench/sweep.sh writes them) as one SVG, without loading a configuration.

            Build in release mode (swift build -c release) before measuring.
            """)

    /// `-c, --config`, `-n, --tasks`, `--concurrency`, `--payload`, `--mode`, `--rate`, `--workers`, `--broker-pid`, `--json`,
    /// `--input`, `--output`, then the logging options.
    public static let options: [CommandOption<Self>] =
        [
            .configFile(\.config),
            .option("tasks", short: "n", valueName: "TASKS", help: "Tasks to run.", \.parameters.tasks, .positiveInteger),
            .option(
                "concurrency", valueName: "N", help: "Producers in flight at once (throughput mode).",
                \.parameters.concurrency, .positiveInteger),
            .option(
                "payload", valueName: "BYTES", help: "Length of the string argument each task gets.",
                \.parameters.payloadBytes, .nonNegativeInteger),
            .option(
                "mode", valueName: "MODE",
                help: "throughput, latency (one task at a time), memory (all in flight at once; in-memory broker), "
                    + "open-loop (kick at --rate) or depth (queue all, then drain).",
                \.parameters.mode, .choice),
            .option(
                "rate", valueName: "TASKS_PER_S", help: "Tasks kicked per second (open-loop mode).", \.parameters.rate,
                OptionValue<Double>.number.constrained("a positive number", quotingFound: false) { $0 > 0 }),
            .option(
                "workers", short: "w", valueName: "N",
                help: "Worker processes to start (brokers that run tasks elsewhere); "
                    + "worker.workers of the file by default.", \.parameters.workers, .positiveInteger),
            .option(
                "broker-pid", valueName: "PID",
                help: "Depth mode: the broker server's process here, whose resident memory growth is reported "
                    + "(any broker); Redis's used_memory without it.", \.parameters.brokerPID, .positiveInteger),
            .flag("json", help: "Print one JSON object instead of the table.", \.parameters.json),
            .option("input", valueName: "FILE", help: "With chart: the sweep's result file.", \.chartInput, .string),
            .option("output", valueName: "FILE", help: "With chart: the SVG file to write.", \.chartOutput, .string),
        ] + .group(\.logging)

    /// `[ACTION]`: nothing to measure, or `chart` to draw a sweep's result file.
    public static let arguments: [CommandArgument<Self>] = [
        .optional("ACTION", help: "chart: draw --input as SVG into --output instead of measuring.", \.action)
    ]

    /// The configuration file.
    public var config: String?
    /// What to measure.
    package var parameters = BenchOptions()
    /// The logging overrides.
    public var logging = LoggingOptions()
    /// `chart`, or `nil` to measure.
    public var action: String?
    /// With `chart`: the sweep's result file.
    public var chartInput: String?
    /// With `chart`: the SVG file to write.
    public var chartOutput: String?

    /// Creates the command with its defaults.
    public init() {}

    /// Checks the action and that the options fit the mode, before anything is loaded.
    public func validate() throws(CommandLineError) {
        if let action {
            guard action == "chart" else {
                throw CommandLineError(
                    code: .invalidValue, command: "bench", argument: action,
                    message: "unknown action '\(action)'; expected chart, or none to measure")
            }
            guard chartInput != nil, chartOutput != nil else {
                throw CommandLineError(
                    code: .invalidValue, command: "bench", argument: action,
                    message: "chart needs '--input RESULT.json' and '--output CHART.svg'")
            }
        } else if chartInput != nil || chartOutput != nil {
            throw CommandLineError(
                code: .invalidValue, command: "bench", argument: chartInput ?? chartOutput,
                message: "'--input' and '--output' go with 'bench chart'")
        }
        try parameters.validate()
    }

    /// Runs `BenchRun` and prints its report; 1 when a task failed. `chart` draws a result file.
    public func run(_ context: CommandContext) async throws -> Int32 {
        if action == "chart", let chartInput, let chartOutput {
            try Self.drawChart(input: chartInput, output: chartOutput)
            return 0
        }
        // The producer's info lines would land in the report.
        let system = try context.runner.assemble(
            config: config, logging: logging.quieted(to: "warning"),
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

extension BenchCommand {
    /// Reads a sweep's result file and writes its charts as one SVG document.
    /// - Throws: ``CommandLineError`` for a file that cannot be read, parsed or written.
    static func drawChart(input: String, output: String) throws(CommandLineError) {
        func fail(_ file: String, _ message: String) -> CommandLineError {
            CommandLineError(code: .invalidValue, command: "bench", argument: file, message: message)
        }
        guard let data = FileManager.default.contents(atPath: input) else { throw fail(input, "cannot read '\(input)'") }
        let document: JSONValue
        do { document = try JSONParser().parse(Array(data)) } catch { throw fail(input, "\(input): not JSON: \(error)") }
        let svg = SVGChart.document(try SVGChart.charts(in: document, file: input))
        guard FileManager.default.createFile(atPath: output, contents: Data(svg.utf8)) else {
            throw fail(output, "cannot write '\(output)' (does its directory exist?)")
        }
    }
}
