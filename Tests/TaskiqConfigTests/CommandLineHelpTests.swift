import Testing

@testable import TaskiqConfig

@Suite struct CommandLineHelpTests {
    typealias Sample = SampleCommands

    @Test func toolHelpListsCommandsAndMarksTheDefault() {
        #expect(
            Sample.parser.helpText() == """
                usage: taskiq-run [<command>] [<options>]

                Run Taskiq workers and schedulers from a configuration file.

                commands:
                  worker  Run workers that execute tasks from the broker. (default)
                  check   Validate a configuration file.
                  kick    Send one task and optionally wait for its result.

                options:
                  -h, --help     Show help information.
                      --version  Show the version.

                Run 'taskiq-run <command> --help' or 'taskiq-run help <command>' for a command's
                options.

                """)
    }

    @Test func unknownCommandNameGivesToolHelp() {
        #expect(Sample.parser.helpText(for: "nope") == Sample.parser.helpText())
    }

    @Test func commandHelpHasDiscussionParagraphsAndAlignedOptions() {
        #expect(
            Sample.parser.helpText(for: "worker") == """
                usage: taskiq-run worker [<options>]

                Run workers that execute tasks from the broker.

                Starts the configured number of worker processes and restarts any that exit
                unexpectedly. Stops on SIGINT or SIGTERM after in-flight tasks finish.

                Options given here override the configuration file.

                options:
                  -c, --config FILE      Configuration file to load. (default: taskiq.json)
                  -w, --workers N        Number of worker processes.
                      --timeout SECONDS  Seconds to wait for tasks on shutdown.
                  -l, --label KEY=VALUE  Label added to every task. (repeatable)
                  -v, --verbose          Log every task.
                  -q, --quiet            Log only errors.
                  -h, --help             Show help information.

                """)
    }

    @Test func commandHelpListsArguments() {
        #expect(
            Sample.parser.helpText(for: "kick") == """
                usage: taskiq-run kick [<options>] TASK [ARGS ...]

                Send one task and optionally wait for its result.

                arguments:
                  TASK  Task name, such as examples.add.
                  ARGS  Arguments, each parsed as JSON.

                options:
                  -c, --config FILE      Configuration file to load. (default: taskiq.json)
                      --wait             Wait for the result and print it.
                  -l, --label KEY=VALUE  Label for the task. (repeatable)
                  -h, --help             Show help information.

                """)
    }

    @Test func longHelpWrapsUnderItsColumnAndWideLabelsMoveItDown() {
        let spec = CommandSpec(
            "send",
            abstract: "Send.",
            options: [
                OptionSpec("to", short: "t", valueName: "ADDRESS", help: String(repeating: "word ", count: 30)),
                OptionSpec("result-backend-url", valueName: "REDIS_URL", help: "Where results go."),
            ],
            arguments: [
                ArgumentSpec("FIRST_VERY_LONG_ARGUMENT", help: "First."),
                ArgumentSpec("SECOND_VERY_LONG_ARGUMENT", help: "Second.", isOptional: true),
                ArgumentSpec("THIRD_VERY_LONG_ARGUMENT", help: "Third.", isOptional: true, isVariadic: true),
            ])
        let parser = CommandLineParser(programName: "tool", version: "1", abstract: "", commands: [spec])
        let help = parser.helpText(for: "send")
        #expect(
            help == """
                usage: tool send [<options>] FIRST_VERY_LONG_ARGUMENT
                       [SECOND_VERY_LONG_ARGUMENT] [THIRD_VERY_LONG_ARGUMENT ...]

                Send.

                arguments:
                  FIRST_VERY_LONG_ARGUMENT   First.
                  SECOND_VERY_LONG_ARGUMENT  Second.
                  THIRD_VERY_LONG_ARGUMENT   Third.

                options:
                  -t, --to ADDRESS            word word word word word word word word word word
                                              word word word word word word word word word word
                                              word word word word word word word word word word
                      --result-backend-url REDIS_URL
                                              Where results go.
                  -h, --help                  Show help information.

                """)
        #expect(help.split(separator: "\n").allSatisfy { $0.count <= 80 })
    }

    @Test func aCommandsOwnShortHLeavesOnlyLongHelp() {
        var spec = Sample.check
        spec.options.append(OptionSpec("host", short: "h", help: "Host."))
        let parser = CommandLineParser(programName: "p", version: "1", abstract: "", commands: [spec])
        #expect(
            parser.helpText(for: "check").hasSuffix(
                """
                  -h, --host HOST    Host.
                      --help         Show help information.

                """))
    }

    @Test(
        arguments: [
            ("", 0, nil, ""),
            ("one two", 2, nil, "  one two"),
            ("one two", 4, "ab ", "ab one two"),  // the prefix is used as is
            (String(repeating: "x", count: 90), 0, nil, String(repeating: "x", count: 90)),
            ("a " + String(repeating: "x", count: 79), 0, nil, "a\n" + String(repeating: "x", count: 79)),
        ] as [(String, Int, String?, String)])
    func wrapBreaksBetweenWordsAt80Columns(text: String, indent: Int, prefix: String?, expected: String) {
        #expect(CommandLineParser.wrap(text, indent: indent, firstLinePrefix: prefix) == expected)
    }
}
