extension TaskiqRunner {
    static let configOption = OptionSpec(
        "config", short: "c", valueName: "FILE",
        help: "Configuration file; defaults to $TASKIQ_CONFIG, then taskiq.json.")
    static let loggingOptions: [OptionSpec] = [
        .flag("verbose", short: "v", help: "Log at debug level."),
        OptionSpec("log-level", valueName: "LEVEL", help: "Override worker.log_level (trace, debug, info, notice, warning, error, critical)."),
        OptionSpec("log-format", valueName: "FORMAT", help: "Override worker.log_format (text or json)."),
    ]
    static let workersOption = OptionSpec("workers", short: "w", valueName: "N", help: "Override worker.workers.")
    static let brokerOption = OptionSpec(
        "broker", valueName: "NAME",
        help: "Listen on a named broker, a key of \"brokers\"; the main \"broker\" (named default) when absent.")

    /// The subcommands of the runner.
    var parser: CommandLineParser {
        CommandLineParser(
            programName: programName, version: version,
            abstract: "Run Taskiq workers and send tasks, assembled from a JSON configuration file.",
            commands: [
                CommandSpec(
                    "worker", abstract: "Run a worker that executes tasks from the broker.",
                    discussion: """
                        Loads the configuration, starts the broker and runs tasks until SIGINT or SIGTERM, \
                        then stops taking tasks, lets running ones finish up to worker.shutdown_timeout and exits.

                        With the in-memory broker, tasks run in the process that kicks them, so the worker \
                        sends the schedules of that broker itself (see the scheduler command) and otherwise \
                        keeps the process alive until it is stopped. With other brokers, run \
                        'taskiq-run scheduler' to send the schedules.

                        A worker listens on one broker: the main one, or with --broker a named one from the \
                        "brokers" section, and runs the tasks of the modules that "tasks.routes" sends there. \
                        Run one worker per broker. Every broker is started, so tasks can kick tasks routed \
                        elsewhere.
                        """,
                    options: [Self.configOption, Self.brokerOption, Self.workersOption] + Self.loggingOptions),
                CommandSpec(
                    "scheduler", abstract: "Send the scheduled tasks at their times.",
                    discussion: """
                        Loads the configuration, starts the brokers and sends the schedules of the "schedules" \
                        list and of the tasks' own schedule labels, each through the broker its task is routed \
                        to, until SIGINT or SIGTERM. Each send is logged at info level.

                        Run one scheduler process next to the workers. The "scheduler" section sets the \
                        catch-up policy for slots missed while no scheduler ran (catch_up: skip or run_once), \
                        how often schedules are re-read (refresh_interval) and the lease and state store that \
                        keep several schedulers from sending a slot twice.

                        With the in-memory broker a worker sends its schedules itself, since tasks run in the \
                        process that kicks them; a scheduler process would run them in its own process.
                        """,
                    options: [Self.configOption] + Self.loggingOptions),
                CommandSpec(
                    "check", abstract: "Validate a configuration and print it resolved, with secrets masked.",
                    discussion: """
                        Then lists the loaded modules, the broker each is routed to and why, and their tasks, \
                        and the schedules with the broker that sends each and its first fire time.
                        """,
                    options: [Self.configOption, Self.workersOption] + Self.loggingOptions),
                CommandSpec(
                    "tasks", abstract: "List the loaded modules, the broker each is routed to, and their tasks.",
                    options: [Self.configOption] + Self.loggingOptions),
                CommandSpec(
                    "kick", abstract: "Send one task and optionally wait for its result.",
                    discussion: """
                        Each argument is parsed as JSON and sent as a string when it is not JSON. NAME=VALUE \
                        (NAME a Python identifier) is a keyword argument, such as 'kick examples.add a=1 b=2'; \
                        positional and keyword arguments may be mixed, and every value after '--' is \
                        positional even if it contains '='. The task goes \
                        to the broker its module is routed to ("tasks.routes"), else the main one. With the \
                        in-memory broker the task runs in this process. With --wait the return value is \
                        printed as JSON alone on standard output; the exit status is 1 if the task failed.
                        """,
                    options: [
                        Self.configOption,
                        OptionSpec("label", short: "l", valueName: "KEY=VALUE", help: "A label for the task (VALUE parsed as JSON).", kind: .repeatable),
                        OptionSpec("task-id", valueName: "ID", help: "Use this task ID instead of a generated one."),
                        .flag("wait", help: "Wait for the result and print it."),
                        OptionSpec("timeout", valueName: "SECONDS",
                                   help: "Give up waiting after this long (with --wait; default 60, exit 1 when it runs out)."),
                    ] + Self.loggingOptions,
                    arguments: [
                        ArgumentSpec("TASK", help: "Task name, such as examples.add."),
                        ArgumentSpec("ARGS", help: "Arguments, each parsed as JSON: VALUE is positional, NAME=VALUE a keyword argument.",
                                     isOptional: true, isVariadic: true),
                    ]),
                Self.cancelCommand,
                Self.deadLettersCommand,
                Self.benchCommand,
                Self.soakCommand,
                CommandSpec("schema", abstract: "Print the JSON Schema of configuration files."),
            ],
            defaultCommand: "worker")
    }
}
