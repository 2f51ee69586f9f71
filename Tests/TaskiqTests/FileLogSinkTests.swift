import Foundation
import Testing

@testable import Taskiq

/// `worker.log_file`'s sink: a failed write (disk full, broken pipe, bad descriptor) never stops
/// the process; lines move to the fallback with one warning naming the file and the reason.
@Suite struct FileLogSinkTests {
    /// Runs `body` with a fallback sink writing into a pipe, and returns the lines it received.
    static func fallbackLines(_ body: (FileDescriptorLogSink) throws -> Void) throws -> [String] {
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        try body(FileDescriptorLogSink(fileDescriptor: fds[1]))
        close(fds[1])
        let data = FileHandle(fileDescriptor: fds[0], closeOnDealloc: true).readDataToEndOfFile()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// A descriptor whose writes fail with `code`, and the sink's name for it.
    static func failingDescriptor(_ code: Int32) throws -> (Int32, String) {
        switch code {
        case ENOSPC:
            return (open("/dev/full", O_WRONLY | O_CLOEXEC), "/dev/full")
        case EPIPE:
            var fds: [Int32] = [0, 0]
            try #require(pipe(&fds) == 0)
            close(fds[0])
            return (fds[1], "a pipe nobody reads")
        default:
            // Writing to a descriptor opened read-only fails with EBADF.
            return (open("/dev/null", O_RDONLY | O_CLOEXEC), "a read-only descriptor")
        }
    }

    @Test(arguments: [
        (ENOSPC, "No space left on device (ENOSPC)"), (EPIPE, "Broken pipe (EPIPE)"),
        (EBADF, "Bad file descriptor (EBADF)"),
    ])
    func aFailedWriteFallsBackWithOneWarning(_ code: Int32, _ reason: String) throws {
        let (descriptor, name) = try Self.failingDescriptor(code)
        try #require(descriptor >= 0)
        var fellBack = false
        let lines = try Self.fallbackLines { fallback in
            let sink = FileLogSink(descriptor: descriptor, path: name, fallback: fallback)
            for index in 0..<3 { sink.write("line \(index)\n") }
            fellBack = sink.hasFallenBack
        }
        #expect(fellBack)
        #expect(lines.count == 4)
        #expect(lines.first?.contains("WARNING") == true)
        #expect(lines.first?.contains("cannot write to log file '\(name)': \(reason); logging to standard error from now on") == true)
        #expect(Array(lines.dropFirst()) == ["line 0", "line 1", "line 2"])
    }

    @Test func manyThreadsHittingAFullDiskWarnOnce() throws {
        let lines = try Self.fallbackLines { fallback in
            let sink = try FileLogSink(path: "/dev/full", format: .json, fallback: fallback)
            DispatchQueue.concurrentPerform(iterations: 200) { sink.write("{\"n\": \($0)}\n") }
        }
        #expect(lines.count == 201)
        #expect(lines.filter { $0.contains("cannot write to log file") }.count == 1)
        let warning = try #require(lines.first { $0.contains("cannot write to log file") })
        guard case .object(let object) = try JSONParser().parse(Array(warning.utf8)) else {
            Issue.record("the warning is not a JSON object like the other lines: \(warning)")
            return
        }
        #expect(object["level"] == "warning" || object["level"] == "WARNING")
    }

    @Test func aWritableFileGetsEveryLineAndTheFallbackNothing() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("taskiq-log-\(UUID()).log").path
        defer { unlink(path) }
        let lines = try Self.fallbackLines { fallback in
            let sink = try FileLogSink(path: path, fallback: fallback)
            sink.write("one\n")
            sink.write("two\n")
            #expect(!sink.hasFallenBack)
        }
        #expect(lines.isEmpty)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "one\ntwo\n")
    }

    @Test func anUnopenableFileIsAClearError() {
        let error = #expect(throws: TaskiqError.self) { try FileLogSink(path: "/nonexistent-taskiq-dir/worker.log") }
        #expect(error?.code == .logFile)
        #expect(
            error?.message == "cannot open log file '/nonexistent-taskiq-dir/worker.log' for appending: No such file or directory (ENOENT)")
    }
}
