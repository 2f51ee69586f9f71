import TaskiqTestSupport
import Testing

/// `taskiq-run` with a named broker: the built executable as a subprocess.
@Suite struct EndToEndRoutingTests {
    static let config = """
        {"broker": {"type": "inmemory"},
         "brokers": {"side": {"type": "inmemory", "result_backend": {"type": "inmemory"}}},
         "tasks": {"modules": ["examples"], "routes": {"examples": "side"}}}
        """

    @Test func checkShowsTheRouteAndKickWaitsThroughTheNamedBroker() async throws {
        let directory = try TemporaryConfigDirectory(files: ["taskiq.json": Self.config])
        let file = directory.path("taskiq.json")
        let check = try await TaskiqRunProcess.run(["check", "-c", file])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains(#"examples (broker: side, route "examples")"#))
        let kick = try await TaskiqRunProcess.run(["kick", "-c", file, "examples.add", "1", "2", "--wait"])
        #expect(kick.status == 0, "\(kick.stderr)")
        #expect(kick.stdout == "3\n")
    }

    @Test func aWorkerOnAnUnknownBrokerExitsTwo() async throws {
        let directory = try TemporaryConfigDirectory(files: ["taskiq.json": Self.config])
        let output = try await TaskiqRunProcess.run(["worker", "-c", directory.path("taskiq.json"), "--broker", "sied"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("unknown broker 'sied' for '--broker'; did you mean 'side'?"))
    }
}
