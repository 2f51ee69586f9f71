import Testing

@testable import TaskiqConfig

@Suite struct CommandLineParserTests {
    typealias Sample = SampleCommands

    @Test(arguments: [
        ["worker", "--config", "x.json"],
        ["worker", "--config=x.json"],
        ["worker", "-c", "x.json"],
        ["worker", "-cx.json"],
        ["-c", "x.json"],  // default subcommand
        ["--config=x.json"],
        ["worker", "--config", "old.json", "--config", "x.json"],  // last one wins
    ])
    func singleValueForms(arguments: [String]) throws {
        let command = try Sample.run(arguments)
        #expect(command.name == "worker")
        #expect(command.values == ["config": ["x.json"]])
        #expect(command.string("config") == "x.json")
    }

    @Test func emptyArgumentsRunTheDefaultCommand() throws {
        #expect(try Sample.run([]) == ParsedCommand(name: "worker"))
    }

    @Test func valueMayContainEqualsSignsAndBeEmpty() throws {
        let command = try Sample.run(["--label=a=1", "--label=", "-l", "b=2"])
        #expect(command.strings("label") == ["a=1", "", "b=2"])
    }

    @Test(arguments: [
        ["-v", "-q"],
        ["-vq"],
        ["--verbose", "--quiet"],
        ["worker", "-qv"],
    ])
    func flagForms(arguments: [String]) throws {
        let command = try Sample.run(arguments)
        #expect(command.flags == ["verbose", "quiet"])
        #expect(command.flag("verbose") && command.flag("quiet") && !command.flag("wait"))
        #expect(command.values.isEmpty)
    }

    @Test func bundledFlagsEndWithAnOptionTakingTheRest() throws {
        let command = try Sample.run(["-vw4"])
        #expect(command.flag("verbose"))
        #expect(try command.int("workers") == 4)
        let spaced = try Sample.run(["-vw", "4"])
        #expect(try spaced.int("workers") == 4)
    }

    @Test func repeatableOptionsKeepEveryValueInOrder() throws {
        let command = try Sample.run(["--label", "a=1", "-l", "b=2", "--label=c=3", "-ld=4"])
        #expect(command.strings("label") == ["a=1", "b=2", "c=3", "d=4"])
        #expect(command.string("label") == "d=4")
        #expect(command.strings("absent").isEmpty)
    }

    @Test func negativeNumbersArePositionals() throws {
        let command = try Sample.run(["kick", "examples.add", "-1", "2", "-0.5", "-.5", "-1e3"])
        #expect(command.argument("TASK") == "examples.add")
        #expect(command.arguments("ARGS") == ["-1", "2", "-0.5", "-.5", "-1e3"])
    }

    @Test func negativeNumberIsAValueForAnOption() throws {
        let command = try Sample.run(["--workers", "-1", "--timeout=-2.5"])
        #expect(try command.int("workers") == -1)
        #expect(try command.double("timeout") == -2.5)
    }

    @Test func aKnownShortOptionWinsOverANumber() throws {
        var spec = Sample.kick
        spec.options.append(.flag("one", short: "1", help: "One."))
        let parser = CommandLineParser(programName: "p", version: "1", abstract: "", commands: [spec])
        guard case .run(let command) = try parser.parse(["kick", "t", "-1", "2"]) else {
            Issue.record("expected a command")
            return
        }
        #expect(command.flag("one"))
        #expect(command.arguments("ARGS") == ["2"])
    }

    @Test func optionsMayComeBeforeOrAfterPositionals() throws {
        let expected = ParsedCommand(
            name: "kick", values: ["config": ["c.json"], "label": ["a=1"]], flags: ["wait"],
            positionals: ["TASK": ["examples.add"], "ARGS": ["1", "2"]])
        #expect(try Sample.run(["kick", "-c", "c.json", "--wait", "-l", "a=1", "examples.add", "1", "2"]) == expected)
        #expect(try Sample.run(["kick", "examples.add", "1", "2", "-c", "c.json", "--wait", "-l", "a=1"]) == expected)
        #expect(try Sample.run(["kick", "examples.add", "--wait", "1", "-c", "c.json", "2", "--label=a=1"]) == expected)
    }

    @Test func doubleDashEndsOptions() throws {
        let command = try Sample.run(["kick", "--wait", "--", "examples.echo", "--config", "-x", "--"])
        #expect(command.flag("wait"))
        #expect(command.values.isEmpty)
        #expect(command.argument("TASK") == "examples.echo")
        #expect(command.arguments("ARGS") == ["--config", "-x", "--"])
    }

    @Test func helpAfterDoubleDashIsAPositional() throws {
        #expect(try Sample.run(["kick", "--", "--help", "-h"]).arguments("ARGS") == ["-h"])
    }

    @Test func loneDashIsAPositional() throws {
        let command = try Sample.run(["kick", "examples.cat", "-"])
        #expect(command.arguments("ARGS") == ["-"])
    }

    @Test func optionalVariadicArgumentMayBeEmpty() throws {
        let command = try Sample.run(["kick", "examples.ping"])
        #expect(command.positionals == ["TASK": ["examples.ping"]])
        #expect(command.arguments("ARGS").isEmpty)
        #expect(command.argument("ARGS") == nil)
    }

    @Test func typedAccessorsConvertAndReturnNilWhenAbsent() throws {
        let command = try Sample.run(["-w", "8", "--timeout", "2.5"])
        #expect(try command.int("workers") == 8)
        #expect(try command.double("timeout") == 2.5)
        #expect(try command.double("workers") == 8)
        #expect(try command.int("absent") == nil)
        #expect(try command.double("absent") == nil)
        #expect(command.string("absent") == nil)
        #expect(command.string("config") == nil, "a default is shown in help, never filled in")
    }

    @Test(arguments: [
        (["--workers", "two"], "int", "'--workers' expects an integer, found 'two'"),
        (["--workers", "2.5"], "int", "'--workers' expects an integer, found '2.5'"),
        (["--timeout", "soon"], "double", "'--timeout' expects a finite number, found 'soon'"),
        (["--timeout", "inf"], "double", "'--timeout' expects a finite number, found 'inf'"),
        (["--timeout", "1e400"], "double", "'--timeout' expects a finite number, found '1e400'"),
    ])
    func typedAccessorsRejectBadValues(arguments: [String], accessor: String, message: String) throws {
        let command = try Sample.run(arguments)
        let error = #expect(throws: CommandLineError.self) {
            if accessor == "int" { _ = try command.int("workers") } else { _ = try command.double("timeout") }
        }
        #expect(error?.code == .invalidValue)
        #expect(error?.message == message)
        #expect(error?.command == "worker")
    }

    @Test(
        arguments: [
            (["--help"], nil),
            (["-h"], nil),
            (["help"], nil),
            (["help", "kick"], "kick"),
            (["kick", "--help"], "kick"),
            (["kick", "-h"], "kick"),
            (["kick", "-x", "--bogus", "-h"], "kick"),  // help wins over mistakes
            (["kick", "--config", "--help"], "kick"),
            (["worker", "-vh"], "worker"),
            (["-c", "x.json", "--help"], "worker"),
            (["kick", "--help", "--bogus"], "kick"),
            (["kick", "t", "--help=x"], "kick"),
        ] as [([String], String?)])
    func helpRequests(arguments: [String], command: String?) throws {
        #expect(try Sample.parser.parse(arguments) == .help(Sample.parser.helpText(for: command)))
    }

    @Test(arguments: [["--version"], ["worker", "--version"], ["kick", "t", "--version"]])
    func versionRequests(arguments: [String]) throws {
        #expect(try Sample.parser.parse(arguments) == .version("0.1.0"))
    }

    @Test func parsesArraySlices() throws {
        let argv = ["taskiq-run", "check", "-c", "x.json"]
        #expect(try Sample.parser.parse(argv.dropFirst()) == .run(ParsedCommand(name: "check", values: ["config": ["x.json"]])))
    }

    @Test(
        arguments: [
            (
                ["worker", "--wrokers", "2"], CommandLineError.Code.unknownOption, "--wrokers",
                "unknown option '--wrokers' for 'worker'; did you mean '--workers'?"
            ),
            (
                ["--wrokers=2"], .unknownOption, "--wrokers",
                "unknown option '--wrokers' for 'worker'; did you mean '--workers'?"
            ),
            (["kick", "--wiat"], .unknownOption, "--wiat", "unknown option '--wiat' for 'kick'; did you mean '--wait'?"),
            (["--hepl"], .unknownOption, "--hepl", "unknown option '--hepl' for 'worker'; did you mean '--help'?"),
            (["--zzzzzz"], .unknownOption, "--zzzzzz", "unknown option '--zzzzzz' for 'worker'"),
            (["-x"], .unknownOption, "-x", "unknown option '-x' for 'worker'"),
            (["-vx"], .unknownOption, "-x", "unknown option '-x' for 'worker'"),
            (["-xh"], .unknownOption, "-x", "unknown option '-x' for 'worker'"),  // bundles are read in order
            (["check", "-w", "2"], .unknownOption, "-w", "unknown option '-w' for 'check'"),
            (["wrker"], .unknownCommand, "wrker", "unknown command 'wrker'; did you mean 'worker'?"),
            (["kik", "examples.add"], .unknownCommand, "kik", "unknown command 'kik'; did you mean 'kick'?"),
            (["deploy"], .unknownCommand, "deploy", "unknown command 'deploy'"),
            (["help", "chek"], .unknownCommand, "chek", "unknown command 'chek'; did you mean 'check'?"),
            (["--config"], .missingValue, "--config", "missing value for '--config'"),
            (["-c"], .missingValue, "-c", "missing value for '-c'"),
            (["--config", "--workers", "2"], .missingValue, "--config", "missing value for '--config'"),
            (["-c", "-v"], .missingValue, "-c", "missing value for '-c'"),
            (["worker", "--verbose=yes"], .unexpectedValue, "--verbose", "'--verbose' does not take a value"),
            (["check", "foo"], .unexpectedArgument, "foo", "unexpected argument 'foo'"),
            (["check", "--", "-c"], .unexpectedArgument, "-c", "unexpected argument '-c'"),
            (["kick"], .missingArgument, "TASK", "missing required argument 'TASK'"),
            (["kick", "--wait"], .missingArgument, "TASK", "missing required argument 'TASK'"),
        ] as [([String], CommandLineError.Code, String, String)])
    func errors(arguments: [String], code: CommandLineError.Code, argument: String, message: String) {
        let error = Sample.error(arguments)
        #expect(error?.code == code)
        #expect(error?.argument == argument)
        #expect(error?.message == message)
        #expect(error?.description == message)
    }

    @Test func errorsNameTheCommandBeingParsed() {
        #expect(Sample.error(["kick"])?.command == "kick")
        #expect(Sample.error(["-x"])?.command == "worker")
        #expect(Sample.error(["wrker"])?.command == nil)
    }

    @Test func withoutADefaultCommandOneIsRequired() throws {
        let parser = CommandLineParser(
            programName: "taskiq-run", version: "1", abstract: "", commands: [Sample.worker, Sample.kick])
        #expect(try parser.parse([]) == .help(parser.helpText()))
        let error = Sample.error(["-c", "x.json"], parser: parser)
        #expect(error?.code == .missingCommand)
        #expect(error?.message == "expected a command before '-c': worker, kick")
        #expect(Sample.error(["wroker"], parser: parser)?.message == "unknown command 'wroker'; did you mean 'worker'?")
    }

    @Test func aDefaultCommandWithArgumentsTakesAnUnknownFirstWord() throws {
        let parser = CommandLineParser(
            programName: "kicker", version: "1", abstract: "", commands: [Sample.kick], defaultCommand: "kick")
        #expect(
            try parser.parse(["examples.add", "1"])
                == .run(
                    ParsedCommand(
                        name: "kick", positionals: ["TASK": ["examples.add"], "ARGS": ["1"]])))
    }

    @Test func aCommandMayDefineItsOwnShortH() throws {
        var spec = Sample.check
        spec.options.append(OptionSpec("host", short: "h", help: "Host."))
        let parser = CommandLineParser(programName: "p", version: "1", abstract: "", commands: [spec])
        #expect(try parser.parse(["check", "-h", "local"]) == .run(ParsedCommand(name: "check", values: ["host": ["local"]])))
        #expect(try parser.parse(["check", "--help"]) == .help(parser.helpText(for: "check")))
    }
}
