import Foundation
import TaskiqTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `taskiq-run` as a subprocess.
///
/// The binary is `TASKIQ_RUN` when set (`.ci/run` points the release suite at the release binary
/// as it ships, built without `-enable-testing`), else the `taskiq-run` built beside this test
/// bundle, so a release test run launches the release binary and a debug run the debug one. Run
/// `swift build` (with the same `-c`) before `swift test`: a test-only build may not link it.
enum TaskiqRunProcess {
    static let executable: URL = {
        if let path = ProcessInfo.processInfo.environment["TASKIQ_RUN"], !path.isEmpty {
            return URL(fileURLWithPath: path, relativeTo: TestPaths.packageRoot).absoluteURL
        }
        #if os(Linux)
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return testBinary.deletingLastPathComponent().appendingPathComponent("taskiq-run")
        #else
        return TestPaths.packageRoot.appendingPathComponent(".build/debug/taskiq-run")
        #endif
    }()

    struct Output: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func requireExecutable() throws {
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            Issue.record(
                """
                \(executable.path) is missing: run `swift build` (with the same -c as the tests) in the \
                package root before `swift test`, or set TASKIQ_RUN, so the end-to-end tests can launch taskiq-run
                """)
            throw CancellationError()
        }
    }

    static func makeProcess(_ arguments: [String], environment: [String: String]) -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = TestPaths.packageRoot
        var env = ProcessInfo.processInfo.environment
        env["TASKIQ_CONFIG"] = nil
        for (key, value) in environment { env[key] = value }
        process.environment = env
        return process
    }

    /// Runs to completion, collecting both streams.
    ///
    /// Every wait is cancellable and bounded: a process that does not exit within `seconds` is
    /// killed and the test fails with its stderr; output still held open by a leftover grandchild
    /// after the exit is waited for at most five seconds.
    static func run(_ arguments: [String], environment: [String: String] = [:], seconds: Double = 180) async throws -> Output {
        try requireExecutable()
        let process = makeProcess(arguments, environment: environment)
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let (exited, exit) = AsyncStream<Int32>.makeStream()
        process.terminationHandler = {
            exit.yield($0.terminationStatus)
            exit.finish()
        }
        try process.run()
        let stdout = LineCollector()
        let stderr = LineCollector()
        readContinuously(out, into: stdout)
        readContinuously(err, into: stderr)
        let status: Int32
        do {
            status = try await withTimeout(seconds: seconds) {
                var statuses = exited.makeAsyncIterator()
                return await statuses.next() ?? -1
            }
        } catch {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("taskiq-run \(arguments.joined(separator: " ")) did not exit within \(seconds)s; stderr:\n\(stderr.text)")
            throw error
        }
        _ = try? await withTimeout(seconds: 5) {
            await stdout.waitForEnd()
            await stderr.waitForEnd()
        }
        return Output(status: status, stdout: stdout.text, stderr: stderr.text)
    }
}

@Suite struct EndToEndTests {
    @Test func kickWithWaitPrintsTheResultAlone() async throws {
        let output = try await TaskiqRunProcess.run(["kick", "-c", "examples/taskiq.json", "examples.add", "1", "2", "--wait"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout == "3\n")
    }

    @Test func aFailedTaskExitsOne() async throws {
        let output = try await TaskiqRunProcess.run(["kick", "-c", "examples/taskiq.json", "examples.fail", "--wait"])
        #expect(output.status == 1)
        #expect(output.stdout.isEmpty)
        #expect(output.stderr.contains("examples.fail always fails"))
    }

    @Test func aBrokenConfigExitsTwoWithFileAndPath() async throws {
        let directory = try TemporaryConfigDirectory(files: [
            "broken.json": """
            {"broker": {"type": "inmemory"}, "middlewares": [{"type": "simple_retry", "default_retry_count": -1}]}
            """
        ])
        let file = directory.path("broken.json")
        let output = try await TaskiqRunProcess.run(["check", "-c", file])
        #expect(output.status == 2)
        #expect(output.stderr.hasPrefix("taskiq-run: \(file): middlewares[0].default_retry_count: "))
        #expect(output.stderr.split(separator: "\n").count == 1)
        #expect(output.stdout.isEmpty)
    }

    @Test func checkExitsZeroAndMasksNothingItShouldNot() async throws {
        let output = try await TaskiqRunProcess.run(["check", "-c", "examples/taskiq.json"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("examples.add(a: Int, b: Int) -> Int"))
        #expect(output.stdout.contains(#""type": "simple_retry""#))
    }

    @Test func workerStopsCleanlyOnSIGTERM() async throws {
        try TaskiqRunProcess.requireExecutable()
        let process = TaskiqRunProcess.makeProcess(["-c", "examples/taskiq.json"], environment: ["TASKIQ_LOG_LEVEL": "info"])
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        let lines = AsyncStream<String>.makeStream()
        err.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                lines.continuation.finish()
            } else {
                lines.continuation.yield(String(decoding: data, as: UTF8.self))
            }
        }
        let exited = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { exited.continuation.yield($0.terminationStatus) }
        try process.run()
        let pid = process.processIdentifier
        let status = try await withTimeout(seconds: 60) {
            var log = ""
            for await chunk in lines.stream {
                log += chunk
                if log.contains("worker ready") { break }
            }
            kill(pid, SIGTERM)
            var statuses = exited.stream.makeAsyncIterator()
            return await statuses.next() ?? -1
        }
        err.fileHandleForReading.readabilityHandler = nil
        #expect(status == 0)
    }

    @Test(arguments: [["--version"], ["--help"], ["kick", "--help"], ["worker", "--help"], ["dead-letters", "--help"], ["schema"]])
    func informationalCommandsExitZero(arguments: [String]) async throws {
        let output = try await TaskiqRunProcess.run(arguments)
        #expect(output.status == 0)
        #expect(!output.stdout.isEmpty)
    }

    @Test func anUnknownOptionExitsTwo() async throws {
        let output = try await TaskiqRunProcess.run(["check", "--wrokers", "2"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("did you mean '--workers'?"))
    }
}
