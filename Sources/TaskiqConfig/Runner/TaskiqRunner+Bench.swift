import Taskiq

extension TaskiqRunner {
    static let benchCommand = CommandSpec(
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
            """,
        options: [
            configOption,
            OptionSpec("tasks", short: "n", valueName: "TASKS", help: "Tasks to run.", defaultValue: "10000"),
            OptionSpec("concurrency", valueName: "N", help: "Producers in flight at once (throughput mode).", defaultValue: "64"),
            OptionSpec("payload", valueName: "BYTES", help: "Length of the string argument each task gets.", defaultValue: "32"),
            OptionSpec("mode", valueName: "MODE", help: "throughput, latency (one task at a time) or memory (all in flight at once; in-memory broker).", defaultValue: "throughput"),
            .flag("json", help: "Print one JSON object instead of the table."),
        ] + loggingOptions)

    /// `bench`: runs ``BenchRun`` and prints its report.
    func bench(_ command: ParsedCommand, environment: [String: String]) async throws -> Int32 {
        let options = try BenchOptions(command)
        var command = command
        if command.string("log-level") == nil && !command.flag("verbose") {
            command.values["log-level"] = ["warning"]    // keep the producer's info lines out of the report
        }
        let system = try assemble(command, environment: environment)
        let report = try await BenchRun(system: system, options: options, configFile: system.configuration.file).run()
        if options.json {
            Console.out(String(decoding: report.json.serialized(style: .compact), as: UTF8.self) + "\n")
        } else {
            Console.out(report.text)
        }
        return report.errors > 0 ? 1 : 0
    }
}
