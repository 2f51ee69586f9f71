import Foundation
import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq

@Suite struct LoggingTests {
    static let fixedTime = LogTimestamp(seconds: 1_795_612_486, nanoseconds: 123_999_999)

    func record(
        _ message: String = "Executing task", level: LogLevel = .info, metadata: [String: String] = [:]
    ) -> LogRecord {
        LogRecord(
            timestamp: Self.fixedTime, level: level, label: "taskiq.worker", message: message,
            metadata: metadata, processID: 1234)
    }

    @Test func timestampsRenderInUTCWithMilliseconds() {
        #expect(Self.fixedTime.iso8601 == "2026-11-25T13:14:46.123Z")
        #expect(Self.fixedTime.asctime == "2026-11-25 13:14:46,123")
        #expect(LogTimestamp(seconds: 0, nanoseconds: 0).iso8601 == "1970-01-01T00:00:00.000Z")
        #expect(LogTimestamp(seconds: 951_782_400, nanoseconds: 5_000_000).iso8601 == "2000-02-29T00:00:00.005Z")
        #expect(LogTimestamp(seconds: -1, nanoseconds: 0).iso8601 == "1969-12-31T23:59:59.000Z")
    }

    @Test func textLineHasTimeLevelPidLabelMessageAndSortedMetadata() {
        let line = record(metadata: ["task_name": "add", "task_id": "abc", "note": "two words", "empty": ""]).textLine
        #expect(
            line
                == "2026-11-25T13:14:46.123Z INFO  [pid 1234] taskiq.worker: Executing task"
                + " empty=\"\" note=\"two words\" task_id=abc task_name=add\n")
        #expect(record(level: .critical).textLine.hasPrefix("2026-11-25T13:14:46.123Z CRITICAL [pid 1234] "))
    }

    @Test func jsonLineIsValidCompactJSONWithEscaping() throws {
        let nasty = "quote\" back\\slash\nnew\ttab\r\u{01}\u{1F} é 🚀 </script>"
        let line = record(nasty, level: .warning, metadata: ["task_id": "abc", "message": "clash", "k\"ey": nasty])
            .jsonLine
        #expect(line.hasSuffix("}\n"))
        #expect(line.filter { $0 == "\n" }.count == 1)
        #expect(line.hasPrefix(#"{"time":"2026-11-25T13:14:46.123Z","level":"warning","pid":1234,"logger":"taskiq.worker","message":"#))
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["time"] as? String == "2026-11-25T13:14:46.123Z")
        #expect(object["level"] as? String == "warning")
        #expect(object["pid"] as? Int == 1234)
        #expect(object["logger"] as? String == "taskiq.worker")
        #expect(object["message"] as? String == nasty)
        #expect(object["task_id"] as? String == "abc")
        #expect(object["meta.message"] as? String == "clash")
        #expect(object["k\"ey"] as? String == nasty)
    }

    @Test func loggerWritesThroughConfiguredSinkAndMergesMetadata() throws {
        let sink = CollectingSink()
        var logger = Logger(label: "taskiq.test", configuration: .init(format: .json, minimumLevel: .debug, sink: sink))
        logger[metadataKey: "task_id"] = "id-1"
        logger[metadataKey: "task_name"] = "old"
        logger.debug("hello", metadata: ["task_name": "add"])
        let line = try #require(sink.lines.first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["task_id"] as? String == "id-1")
        #expect(object["task_name"] as? String == "add")
        #expect(object["message"] as? String == "hello")
        #expect(logger.metadata["task_name"] == "old")
    }

    @Test func levelsBelowTheLoggerLevelAreDroppedWithoutEvaluatingTheMessage() {
        let sink = CollectingSink()
        var logger = Logger(label: "taskiq.test", configuration: .init(minimumLevel: .warning, sink: sink))
        let evaluations = Atomic<Int>(0)
        func expensive(_ text: String) -> String {
            evaluations.add(1, ordering: .relaxed)
            return text
        }
        logger.trace(expensive("t"))
        logger.debug(expensive("d"))
        logger.info(expensive("i"))
        logger.notice(expensive("n"))
        #expect(evaluations.load(ordering: .relaxed) == 0)
        logger.warning(expensive("w"))
        logger.error(expensive("e"))
        logger.critical(expensive("c"))
        #expect(evaluations.load(ordering: .relaxed) == 3)
        #expect(sink.lines.count == 3)
        logger.logLevel = .trace
        logger.log(level: .trace, expensive("t"))
        #expect(sink.lines.count == 4)
        #expect(sink.lines.last?.contains(" TRACE [pid ") == true)
    }

    @Test(arguments: [
        ("info", LogLevel.info), ("INFO", .info), ("WARNING", .warning), ("warn", .warning),
        ("CRITICAL", .critical), ("fatal", .critical), ("DEBUG", .debug), ("ERROR", .error),
        ("Notice", .notice), ("trace", .trace), (" debug\n", .debug), ("20", .info), ("40", .error),
    ])
    func levelsParseCaseInsensitivelyIncludingPythonNames(text: String, level: LogLevel) {
        #expect(LogLevel(text) == level)
    }

    @Test func unknownLevelNamesDoNotParse() {
        #expect(LogLevel("verbose") == nil)
        #expect(LogLevel("") == nil)
        #expect(LogLevel.allCases.sorted() == LogLevel.allCases)
        #expect(LogLevel.allCases.allSatisfy { LogLevel($0.description) == $0 })
    }

    @Test func formatRendersPythonPlaceholdersAndMetadata() {
        let format = LogFormat("%(asctime)s|%(levelname)-7s|%(name)s|%(process)d|%(task_name)s:%(task_id)s|%(nope)s|100%%|%(message)s")
        let line = format.format(record(metadata: ["task_id": "abc", "task_name": "add"]))
        #expect(line == "2026-11-25 13:14:46,123|INFO   |taskiq.worker|1234|add:abc||100%|Executing task")
    }

    @Test(arguments: [
        ("%(levelname)8s!", "    INFO!"), ("%(message).4s", "Exec"), ("50% done", "50% done"),
        ("%(unclosed", "%(unclosed"), ("%(name)", "%(name)"), ("trailing %", "trailing %"), ("", ""),
    ])
    func formatHandlesWidthsPrecisionAndMalformedText(pattern: String, expected: String) {
        #expect(LogFormat(pattern).format(record()) == expected)
    }

    @Test func captureCollectsFormattedLinesAlongsideTheSink() {
        let sink = CollectingSink()
        let capture = LogCapture(format: LogFormat("[%(levelname)s] %(task_id)s %(message)s"))
        var logger = Logger(label: "taskiq.test", configuration: .init(minimumLevel: .info, sink: sink))
        logger.capture = capture
        logger[metadataKey: "task_id"] = "t1"
        logger.info("first")
        logger.debug("hidden")
        logger.error("second\nline")
        #expect(capture.text == "[INFO] t1 first\n[ERROR] t1 second\nline")
        #expect(sink.lines.count == 2)
        capture.removeAll()
        #expect(capture.text == "")
    }

    @Test func writesToAClosedDescriptorAreCountedNotFatal() {
        // A number no descriptor has: a closed pipe's number could be reused by another test's
        // socket at once, and the lines would land in it.
        let sink = FileDescriptorLogSink(fileDescriptor: 1_000_000)
        let logger = Logger(label: "taskiq.test", configuration: .init(sink: sink))
        logger.info("into the void")
        logger.error("again")
        #expect(sink.droppedLineCount == 2)
    }

    @Test func writesToABrokenPipeAreCountedNotFatal() {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        close(fds[0])
        defer { close(fds[1]) }
        let sink = FileDescriptorLogSink(fileDescriptor: fds[1])
        sink.write("nobody reads this\n")
        #expect(sink.droppedLineCount == 1)
    }

    @Test func concurrentWritersProduceWholeLines() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("taskiq-log-\(UUID()).jsonl").path
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        try #require(fd >= 0)
        defer { unlink(path) }
        let logger = Logger(
            label: "taskiq.test",
            configuration: .init(format: .json, sink: FileDescriptorLogSink(fileDescriptor: fd)))
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for index in 0..<200 {
                logger.info(String(repeating: "x", count: 100 + index), metadata: ["thread": "\(thread)"])
            }
        }
        close(fd)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1600)
        for line in lines {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil)
        }
    }
}
