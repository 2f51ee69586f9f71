import Taskiq

extension TaskiqRunner {
    static let soakCommand = CommandSpec(
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
            """,
        options: [
            configOption,
            OptionSpec("records", valueName: "DIR", help: "The workers' record directory (default: $TASKIQ_SOAK_RECORDS)."),
            OptionSpec("tasks", short: "n", valueName: "TASKS", help: "Tasks to kick.", defaultValue: "1000000"),
            OptionSpec("concurrency", valueName: "N", help: "Producers in flight at once.", defaultValue: "128"),
            OptionSpec("max-seconds", valueName: "SECONDS", help: "Stop kicking after this long (the run then fails as incomplete)."),
            OptionSpec("result-timeout", valueName: "SECONDS", help: "How long one result may take.", defaultValue: "60"),
            OptionSpec("drain-seconds", valueName: "SECONDS", help: "How long the records may lag behind the results.", defaultValue: "60"),
            OptionSpec("progress", valueName: "SECONDS", help: "Seconds between progress lines on standard error; 0 for none.", defaultValue: "10"),
        ] + loggingOptions)

    /// `soak`: runs ``SoakRun`` and prints its report; exit status 0 only when it passed.
    func soak(_ command: ParsedCommand, environment: [String: String]) async throws -> Int32 {
        let options = try SoakOptions(command, environment: environment)
        var command = command
        if command.string("log-level") == nil && !command.flag("verbose") {
            command.values["log-level"] = ["warning"]    // keep the producer's info lines out of the report
        }
        let system = try assemble(command, environment: environment)
        let report = try await SoakRun(system: system, options: options).run()
        Console.out(report.text)
        return report.passed ? 0 : 1
    }
}
