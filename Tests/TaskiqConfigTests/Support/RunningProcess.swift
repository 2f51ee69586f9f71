#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization
import Testing

/// A `taskiq-run` started in the background: its stderr is collected line by line so a test can
/// wait for a log line (bounded by a timeout) instead of sleeping.
final class RunningProcess: Sendable {
    private let process: Process
    private let collector = LineCollector()
    private let changes: AsyncStream<Void>
    private let exitStatus: AsyncStream<Int32>

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        try TaskiqRunProcess.requireExecutable()
        process = TaskiqRunProcess.makeProcess(arguments, environment: environment)
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        let (changes, changed) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.changes = changes
        let (exitStatus, exited) = AsyncStream<Int32>.makeStream()
        self.exitStatus = exitStatus
        err.fileHandleForReading.readabilityHandler = { [collector] handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                changed.finish()
                return
            }
            collector.append(data)
            changed.yield()
        }
        process.terminationHandler = { exited.yield($0.terminationStatus); exited.finish() }
        try process.run()
    }

    /// The process ID.
    var pid: Int32 { process.processIdentifier }

    /// Every complete stderr line so far.
    var lines: [String] { collector.lines }

    /// Waits until the collected lines satisfy `condition`, and returns its value.
    func waitFor<T: Sendable>(_ what: String, seconds: Double = 60,
                              _ condition: @escaping @Sendable ([String]) -> T?) async throws -> T {
        let changes = self.changes
        do {
            return try await withTimeout(seconds: seconds) { [self] in
                if let value = condition(lines) { return value }
                for await _ in changes {
                    if let value = condition(lines) { return value }
                }
                if let value = condition(lines) { return value }
                throw CancellationError()
            }
        } catch {
            Issue.record("waiting for \(what) failed (\(error)); log so far:\n\(lines.joined(separator: "\n"))")
            throw error
        }
    }

    /// Waits for a line containing `text`.
    @discardableResult
    func waitForLine(containing text: String, seconds: Double = 60) async throws -> String {
        try await waitFor("a line containing '\(text)'", seconds: seconds) { lines in lines.first { $0.contains(text) } }
    }

    /// Sends a signal.
    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the process to exit and returns its status.
    func waitForExit(seconds: Double = 60) async throws -> Int32 {
        let exitStatus = self.exitStatus
        do {
            return try await withTimeout(seconds: seconds) {
                var iterator = exitStatus.makeAsyncIterator()
                return await iterator.next() ?? -1
            }
        } catch {
            Issue.record("waiting for the process to exit failed (\(error)); log so far:\n\(lines.joined(separator: "\n"))")
            throw error
        }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// Splits a byte stream into lines.
final class LineCollector: Sendable {
    private let state = Mutex<(lines: [String], partial: String)>(([], ""))

    func append(_ data: Data) {
        state.withLock { state in
            state.partial += String(decoding: data, as: UTF8.self)
            var lines = state.partial.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            state.partial = lines.removeLast()
            state.lines += lines
        }
    }

    var lines: [String] { state.withLock { $0.lines } }
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
func freeLoopbackPort() -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    _ = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return UInt16(bigEndian: address.sin_port)
}

/// The process ID a log line was written by (`[pid N]`).
func loggedPID(_ line: String) -> Int32? {
    guard let start = line.range(of: "[pid ") else { return nil }
    return Int32(line[start.upperBound...].prefix { $0.isNumber })
}
