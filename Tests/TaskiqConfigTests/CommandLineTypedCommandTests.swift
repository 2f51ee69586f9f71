import Testing

@testable import TaskiqConfig
@testable import TaskiqDiagnostics

/// The typed commands: each option declared once drives parsing, help and errors.
@Suite struct CommandLineTypedCommandTests {
    /// A command with one option of each kind, for the declarations' own behaviour.
    struct Sample: RunnerCommand {
        static let configuration = CommandConfiguration("sample", abstract: "A sample.")
        static let options: [CommandOption<Self>] =
            [
                .configFile(\.config),
                .option("count", short: "n", help: "How many.", \.count, .positiveInteger),
                .option("ratio", help: "A ratio.", \.ratio, .number),
                .option("wait", help: "Seconds.", \.wait, .seconds()),
                .repeatable("tag", short: "t", help: "A tag.", \.tags),
                .flag("dry-run", help: "Do nothing.", \.dryRun),
            ] + .group(\.logging)
        static let arguments: [CommandArgument<Self>] = [
            .required("NAME", help: "A name.", \.name),
            .variadic("REST", help: "The rest.", \.rest),
        ]
        var config: String?
        var count = 3
        var ratio: Double?
        var wait = Duration.seconds(1.5)
        var tags: [String] = []
        var dryRun = false
        var logging = LoggingOptions()
        var name = ""
        var rest: [PositionalValue] = []
        func run(_ context: CommandContext) async throws -> Int32 { 0 }
    }

    @Test func valuesLandInTheirProperties() throws {
        let sample = try Sample.parse([
            "x", "-n", "7", "--ratio=0.5", "-t", "a", "--tag", "b", "--dry-run", "-v",
            "--log-level", "error", "--wait", "2", "1", "--", "k=v",
        ])
        #expect(sample.count == 7 && sample.ratio == 0.5 && sample.tags == ["a", "b"] && sample.dryRun)
        #expect(sample.wait == .seconds(2))
        #expect(sample.logging.verbose && sample.logging.logLevel == "error" && sample.logging.logFormat == nil)
        #expect(sample.name == "x")
        #expect(sample.rest == [PositionalValue("1"), PositionalValue("k=v", isLiteral: true)])
    }

    @Test func absentOptionsKeepTheirDefaults() throws {
        let sample = try Sample.parse(["x"])
        #expect(sample.count == 3 && sample.ratio == nil && sample.wait == .milliseconds(1500) && !sample.dryRun)
        #expect(sample.config == nil && sample.tags.isEmpty && sample.rest.isEmpty)
    }

    @Test func helpShowsTheDefaultOfNonOptionalValuesOnly() {
        let options = Dictionary(uniqueKeysWithValues: Sample.spec.options.map { ($0.name, $0) })
        #expect(options["count"]?.defaultValue == "3")
        #expect(options["wait"]?.defaultValue == "1.5")
        #expect(options["ratio"]?.defaultValue == nil)
        #expect(options["config"]?.defaultValue == nil)
        #expect(options["dry-run"]?.kind == .flag && options["tag"]?.kind == .repeatable)
        #expect(
            Sample.spec.options.map(\.name) == [
                "config", "count", "ratio", "wait", "tag", "dry-run",
                "verbose", "log-level", "log-format",
            ])
    }

    @Test(arguments: [
        (["x", "-n", "two"], "'--count' expects an integer, found 'two'"),
        (["x", "-n", "0"], "'--count' expects a positive integer, found 0"),
        (["x", "--ratio", "inf"], "'--ratio' expects a finite number, found 'inf'"),
        (["x", "--wait", "0"], "'--wait' expects a positive number of seconds up to 1000000000, found '0'"),
    ])
    func badValuesNameTheOptionAndTheValue(arguments: [String], message: String) {
        let error = #expect(throws: CommandLineError.self) { try Sample.parse(arguments) }
        #expect(error?.message == message)
        #expect(error?.code == .invalidValue && error?.command == "sample")
    }

    @Test func choicesListTheCases() {
        let error = #expect(throws: CommandLineError.self) { try BenchCommand.parse(["--mode", "fast"]) }
        #expect(error?.message == "'--mode' expects throughput, latency, memory, open-loop or depth, found 'fast'")
    }

    @Test func everyCommandDeclaresEachNameOnce() {
        for command in TaskiqRunner(modules: [], extensions: [.diagnostics]).commands {
            let spec = command.spec
            #expect(Set(spec.options.map(\.name)).count == spec.options.count, "\(spec.name)")
            let shorts = spec.options.compactMap(\.short)
            #expect(Set(shorts).count == shorts.count, "\(spec.name)")
        }
    }

    @Test func diagnosticsAreAnExtensionListedBeforeSchema() {
        let plain = TaskiqRunner(modules: []).commands.map { $0.configuration.name }
        #expect(plain == ["worker", "scheduler", "check", "tasks", "kick", "cancel", "dead-letters", "schema"])
        let full = TaskiqRunner(modules: [], extensions: [.diagnostics]).commands.map { $0.configuration.name }
        #expect(full == ["worker", "scheduler", "check", "tasks", "kick", "cancel", "dead-letters", "bench", "soak", "schema"])
    }

    @Test func deadLettersChecksItsActionBeforeLoadingAnything() throws {
        #expect(throws: CommandLineError.self) { try DeadLettersCommand.parse(["retry"]) }
        #expect(throws: CommandLineError.self) { try DeadLettersCommand.parse(["list", "x"]) }
        let error = #expect(throws: CommandLineError.self) { try DeadLettersCommand.parse(["retyr"]) }
        #expect(error?.message == "unknown action 'retyr'; did you mean 'retry'?; expected one of: list, retry, purge")
        #expect(try DeadLettersCommand.parse([]).limit == 50)
    }
}
