import Foundation
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig

/// `taskiq-run` as a user meets it: bad addresses and unwritable files exit 2 naming the file and
/// the JSON path, `check` prints no credential, `kick` takes keyword arguments and checks `--timeout`.
@Suite struct ConfigHardeningEndToEndTests {
    @Test(arguments: [["check"], ["worker"], ["kick", "examples.add", "1", "2", "--wait"]])
    func aBadAddressExitsTwoWithFileAndPath(command: [String]) async throws {
        let directory = try TemporaryConfigDirectory(files: [
            "bad.json": """
            {"broker": {"type": "zeromq", "zmq_pub_host": "not a url"}}
            """
        ])
        let file = directory.path("bad.json")
        let output = try await TaskiqRunProcess.run([command[0], "-c", file] + command.dropFirst())
        #expect(output.status == 2, "\(output.stderr)")
        #expect(output.stderr.hasPrefix("taskiq-run: \(file): broker.zmq_pub_host: "), "\(output.stderr)")
        #expect(output.stderr.contains("must start with tcp://"))
        #expect(output.stdout.isEmpty)
    }

    @Test func anUnwritableDeadLetterFileExitsTwoWithFileAndPath() async throws {
        let directory = try TemporaryConfigDirectory(files: [
            "dl.json": """
            {"broker": {"type": "inmemory"}, "dead_letters": {"type": "file", "path": "/nonexistent-taskiq-dir/dead.jsonl"}}
            """
        ])
        let file = directory.path("dl.json")
        let output = try await TaskiqRunProcess.run(["check", "-c", file])
        #expect(output.status == 2, "\(output.stderr)")
        #expect(output.stderr.hasPrefix("taskiq-run: \(file): dead_letters.path: cannot create"), "\(output.stderr)")
    }

    /// Each credential form the Redis URL parser accepts, in every place a URL can be written.
    @Test func checkPrintsNoCredentialInAnyForm() async throws {
        let directory = try TemporaryConfigDirectory(files: [
            "secrets.json": """
            {"broker": {"type": "redis_stream", "url": "redis://Lone1Secret@cache:6379/0"},
             "brokers": {"bulk": {"type": "redis_list", "url": "redis://:Colon2Secret@cache:6379",
                                  "result_backend": {"type": "redis", "url": "redis://cache/1?password=Query3Secret&db=1"}}},
             "result_backend": {"type": "redis", "url": "redis://app:User4Secret@cache:6379/2"},
             "dead_letters": {"type": "redis", "url": "redis://cache:6379?db=0&pass=Query5Secret"},
             "scheduler": {"lease": {"type": "redis", "url": "redis://${REDIS_PASSWORD}@cache:6379"},
                           "state_store": {"type": "redis", "url": "redis://u:p%40Encoded7Secret@cache:6379?token=Token8Secret"}}}
            """
        ])
        let output = try await TaskiqRunProcess.run(
            ["check", "-c", directory.path("secrets.json")],
            environment: ["REDIS_PASSWORD": "Env6Secret"])
        #expect(output.status == 0, "\(output.stderr)")
        for secret in [
            "Lone1Secret", "Colon2Secret", "Query3Secret", "User4Secret", "Query5Secret", "Env6Secret",
            "Encoded7Secret", "Token8Secret",
        ] {
            #expect(!output.stdout.contains(secret) && !output.stderr.contains(secret), "check printed \(secret)")
        }
        #expect(output.stdout.contains("redis://***@cache:6379/0"))
        #expect(output.stdout.contains("redis://:***@cache:6379"))
        #expect(output.stdout.contains("redis://app:***@cache:6379/2"))
        #expect(output.stdout.contains("?password=***&db=1"))
    }

    @Test(arguments: [
        (["a=1", "b=2"], "3"),
        (["b=2", "a=40"], "42"),
        (["1", "b=2"], "3"),
        (["b=5", "1"], "6"),
    ])
    func kickTakesKeywordArguments(arguments: [String], printed: String) async throws {
        let output = try await TaskiqRunProcess.run(["kick", "-c", "examples/taskiq.json", "examples.add"] + arguments + ["--wait"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout == printed + "\n")
    }

    @Test func aValueAfterDoubleDashIsPositionalEvenWithAnEqualsSign() async throws {
        let positional = try await TaskiqRunProcess.run(["kick", "-c", "examples/taskiq.json", "--wait", "examples.echo", "--", "x=y"])
        #expect(positional.status == 0, "\(positional.stderr)")
        #expect(positional.stdout == "\"x=y\"\n")
        let keyword = try await TaskiqRunProcess.run(["kick", "-c", "examples/taskiq.json", "--wait", "examples.echo", #"value={"k":[1]}"#])
        #expect(keyword.status == 0, "\(keyword.stderr)")
        #expect(keyword.stdout == #"{"k":[1]}"# + "\n")
    }

    /// Checked against the task's signature before anything is sent: a usage error (2).
    @Test func anUnknownKeywordFailsInTheShell() async throws {
        let output = try await TaskiqRunProcess.run(["kick", "-c", "examples/taskiq.json", "examples.add", "a=1", "c=2", "--wait"])
        #expect(output.status == 2, "\(output.stderr)")
        #expect(output.stdout.isEmpty)
        #expect(output.stderr.contains("'c'"), "\(output.stderr)")
    }

    @Test func aKeywordGivenTwiceIsAUsageError() async throws {
        let output = try await TaskiqRunProcess.run(["kick", "-c", "examples/taskiq.json", "examples.add", "a=1", "a=2"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("keyword argument 'a' is given twice"), "\(output.stderr)")
    }

    @Test(arguments: [
        "--timeout=-1", "--timeout=0", "--timeout=nan", "--timeout=inf", "--timeout=1e300", "--timeout=abc",
        "--timeout=31536001", "--timeout=",
    ])
    func aBadTimeoutIsAUsageError(option: String) async throws {
        let output = try await TaskiqRunProcess.run(["kick", "-c", "examples/taskiq.json", "examples.add", "1", "2", "--wait", option])
        #expect(output.status == 2, "\(option): \(output.stderr)")
        #expect(output.stderr.contains("'--timeout' expects"), "\(output.stderr)")
        #expect(output.stdout.isEmpty)
    }

    @Test func theHelpNamesTheDefaultTimeoutAndKeywordSyntax() async throws {
        let output = try await TaskiqRunProcess.run(["kick", "--help"])
        #expect(output.status == 0)
        let text = output.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(text.contains("default 60"), "\(text)")
        #expect(output.stdout.contains("NAME=VALUE"))
    }

    @Test func waitingHasADefaultTimeout() throws {
        #expect(try KickCommand.parse(["t"]).waitTimeout == .seconds(60))
        #expect(try KickCommand.parse(["t", "--timeout", "0.25"]).waitTimeout == .milliseconds(250))
        #expect(try KickCommand.parse(["t", "--timeout", "31536000"]).waitTimeout == .seconds(31_536_000))
    }
}
