import Foundation
import Taskiq
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig
@testable import TaskiqDiagnostics

/// The soak test's counting: record lines parsed into executed, duplicated and malformed, across
/// chunk boundaries and incremental scans; the recorder's file format; the verdict.
struct SoakLedgerTests {
    @Test func countsDistinctDuplicatedAndMalformedLinesWhateverTheChunking() {
        let text = Array("0\n1\n2\n1\n1\n7\nx1\n\n10\n99999999999999999999\n3\n".utf8)
        for chunk in [1, 2, 3, 5, text.count] {
            var ledger = SoakLedger(capacity: 8)
            var partial: [UInt8] = []
            var start = 0
            while start < text.count {
                ledger.add(text[start..<min(text.count, start + chunk)], partial: &partial)
                start += chunk
            }
            #expect(partial.isEmpty)
            #expect(ledger.lines == 11)
            #expect(ledger.distinct == 5, "0, 1, 2, 3 and 7")
            #expect(ledger.duplicated == 2, "1 ran three times")
            #expect(ledger.malformed == 4, "'x1', an empty line, 10 (out of range) and an overlong number")
            #expect(ledger.count(of: 1) == 3)
            #expect(ledger.missing(0..<8) == [4, 5, 6])
        }
    }

    @Test func scansOnlyWhatFilesGainedAndWaitsForTheNewline() throws {
        let directory = try TemporaryConfigDirectory()
        try directory.write("records-1.txt", "0\n1\n2")
        try directory.write("records-2.txt", "3\n")
        try directory.write("other.txt", "4\n")
        var ledger = SoakLedger(capacity: 10)
        try ledger.scan(directory: directory.url.path)
        #expect(ledger.files == 2)
        #expect(ledger.distinct == 3, "0, 1 and 3: '2' has no newline yet and other.txt is not a record file")
        #expect(ledger.unterminatedFiles == 1)

        let handle = try FileHandle(forWritingTo: directory.url.appendingPathComponent("records-1.txt"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("\n1\n".utf8))
        try handle.close()
        try ledger.scan(directory: directory.url.path)
        #expect(ledger.lines == 5, "earlier lines are not read twice")
        #expect(ledger.distinct == 4)
        #expect(ledger.duplicated == 1)
        #expect(ledger.unterminatedFiles == 0)
        #expect(ledger.missing(0..<5) == [4])
    }

    @Test func theRecorderAppendsOneLinePerExecutionToItsProcessFile() throws {
        let directory = try TemporaryConfigDirectory()
        let recorder = SoakRecorder()
        #expect(throws: TaskiqError.self) { try recorder.record(1) }
        let path = try recorder.install(directory: directory.url.path)
        #expect(path == SoakRecorder.path(directory: directory.url.path, pid: getpid()))
        for sequence in [5, 0, 5, 123_456] { try recorder.record(sequence) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "5\n0\n5\n123456\n")
        var ledger = SoakLedger(capacity: 1_000_000)
        try ledger.scan(directory: directory.url.path)
        #expect(ledger.distinct == 3)
        #expect(ledger.duplicated == 1)
    }

    @Test func theRecorderSaysWhereWhenItCannotOpenItsFile() {
        let error = #expect(throws: TaskiqError.self) { try SoakRecorder().install(directory: "/nonexistent/soak") }
        #expect(error?.message.contains("/nonexistent/soak/records-") == true)
        #expect(error?.message.contains(SoakRecorder.directoryVariable) == true)
    }

    @Test func theVerdictFailsOnLossesIncompleteRunsAndMissingResults() {
        var report = SoakReport()
        report.requested = 100
        report.attempted = 100
        report.results = 100
        report.executed = 100
        report.duplicated = 3
        #expect(report.passed)
        #expect(report.text.hasPrefix("soak: PASS\n"))

        var lost = report
        lost.executed = 98
        lost.lost = 2
        lost.lostSample = [17, 42]
        #expect(!lost.passed)
        #expect(lost.text.hasPrefix("soak: FAIL\n"))
        #expect(lost.text.contains("lost        2 (e.g. 17, 42)"))
        #expect(lost.failures == ["2 kicked tasks were never executed"])

        var incomplete = report
        incomplete.attempted = 60
        #expect(incomplete.failures == ["only 60 of 100 tasks were kicked before the time limit"])
        var timeouts = report
        timeouts.resultTimeouts = 1
        #expect(timeouts.failures == ["1 results did not arrive in time"])
    }

    @Test func optionsNeedARecordDirectoryAndSaneNumbers() throws {
        func options(_ arguments: [String], environment: [String: String] = [:]) throws -> SoakOptions {
            try SoakCommand.parse(arguments).options(environment: environment)
        }
        let missing = #expect(throws: CommandLineError.self) { try options([]) }
        #expect(missing?.message.contains("--records DIR") == true)
        #expect(try options([], environment: [SoakRecorder.directoryVariable: "/tmp/r"]).records == "/tmp/r")
        let parsed = try options(["--records", "/tmp/x", "-n", "500", "--max-seconds", "1.5", "--progress", "0"])
        #expect(parsed.tasks == 500)
        #expect(parsed.maxDuration == .milliseconds(1500))
        #expect(parsed.progressInterval == nil)
        let negative = #expect(throws: CommandLineError.self) { try options(["--records", "/tmp/x", "--concurrency", "0"]) }
        #expect(negative?.message.contains("'--concurrency' expects a positive integer, found 0") == true)
        let word = #expect(throws: CommandLineError.self) { try options(["--records", "/tmp/x", "--result-timeout", "soon"]) }
        #expect(word?.message.contains("found 'soon'") == true)
    }
}
