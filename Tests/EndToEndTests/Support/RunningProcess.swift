import Foundation
import Synchronization
import TaskiqTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A child process started in the background (`taskiq-run`, or a Python peer): its log output is
/// collected line by line so a test can wait for a line (bounded by a timeout) instead of sleeping.
final class RunningProcess: Sendable {
    private let process: Process
    private let input: Pipe
    private let collector = LineCollector()
    private let exitStatus: AsyncStream<Int32>

    /// Starts `taskiq-run` with `arguments`, collecting its stderr.
    convenience init(_ arguments: [String], environment: [String: String] = [:]) throws {
        try TaskiqRunProcess.requireExecutable()
        try self.init(TaskiqRunProcess.makeProcess(arguments, environment: environment))
    }

    /// Starts a configured process.
    /// - Parameters:
    ///   - process: The process, not yet running.
    ///   - collectingStandardOutput: Collect stdout into the same lines as stderr (whole lines
    ///     written at once stay whole); otherwise stdout is discarded.
    init(_ process: Process, collectingStandardOutput: Bool = false) throws {
        self.process = process
        input = Pipe()
        process.standardInput = input
        let output = Pipe()
        process.standardError = output
        process.standardOutput = collectingStandardOutput ? output : FileHandle.nullDevice
        let (exitStatus, exited) = AsyncStream<Int32>.makeStream()
        self.exitStatus = exitStatus
        process.terminationHandler = {
            exited.yield($0.terminationStatus)
            exited.finish()
        }
        try process.run()
        readContinuously(output, into: collector)
    }

    /// The process ID.
    var pid: Int32 { process.processIdentifier }

    /// Every complete line so far.
    var lines: [String] { collector.lines }

    /// Waits until the collected lines satisfy `condition`, and returns its value; at the deadline
    /// (or when the output ends first) records an issue with the log so far, and throws.
    func waitFor<T: Sendable>(
        _ what: String, seconds: Double = 120,
        _ condition: @escaping @Sendable ([String]) -> T?
    ) async throws -> T {
        do {
            return try await withTimeout(seconds: seconds) { [collector] in
                guard let value = await collector.wait(for: condition) else { throw EndOfOutput() }
                return value
            }
        } catch {
            Issue.record("waiting for \(what) failed (\(error)); log so far:\n\(lines.joined(separator: "\n"))")
            throw error
        }
    }

    /// Like ``waitFor(_:seconds:_:)``, but `nil` at the deadline or end of output, without an issue.
    func valueIfSoon<T: Sendable>(seconds: Double, _ condition: @escaping @Sendable ([String]) -> T?) async -> T? {
        try? await withTimeout(seconds: seconds) { [collector] in await collector.wait(for: condition) }
    }

    /// Waits for a line containing `text`.
    @discardableResult
    func waitForLine(containing text: String, seconds: Double = 120) async throws -> String {
        try await waitFor("a line containing '\(text)'", seconds: seconds) { lines in lines.first { $0.contains(text) } }
    }

    /// Sends a signal.
    ///
    /// Only while the process runs: once it exited and was reaped its pid is free, and on a
    /// machine with `pid_max` 32768 a full run reuses pids within minutes, so a late
    /// `defer { signal(SIGKILL) }` would kill whatever got the pid (another test's redis-server
    /// or nats-server, seen as "closed the connection" / "connection reset" in other tests).
    func signal(_ number: Int32) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, number)
    }

    /// Writes `line` and a newline to the process's standard input.
    ///
    /// Throws instead of raising SIGPIPE when the process has gone: the first call sets SIGPIPE
    /// to ignored in the test process if it still has its default disposition.
    func send(line: String) throws {
        _ = Self.ignoreSIGPIPE
        try input.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
    }

    private static let ignoreSIGPIPE: Void = ignoreDefaultSIGPIPE()

    /// Closes the process's standard input (it reads end of file).
    func closeInput() {
        try? input.fileHandleForWriting.close()
    }

    /// Waits for the process to exit and returns its status, once its output is read to the end:
    /// the reader thread can be a moment behind the exit, and a test that read ``lines`` then
    /// missed the last line (`kick --wait`'s result, CI 2026-12-07). The end of output is waited
    /// for 5 s at most, in case a child of the process still holds the pipe.
    func waitForExit(seconds: Double = 120) async throws -> Int32 {
        let exitStatus = self.exitStatus
        do {
            let status = try await withTimeout(seconds: seconds) {
                var iterator = exitStatus.makeAsyncIterator()
                return await iterator.next() ?? -1
            }
            _ = try? await withTimeout(seconds: 5) { [collector] in await collector.waitForEnd() }
            return status
        } catch {
            Issue.record("waiting for the process to exit failed (\(error)); log so far:\n\(lines.joined(separator: "\n"))")
            throw error
        }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// Splits a byte stream into lines, and wakes waiters whenever lines arrive.
///
/// Each waiter has its own stream, so a waiter that times out (and is cancelled) does not end
/// the wake-ups of later ones.
final class LineCollector: Sendable {
    private struct State {
        var lines: [String] = []
        var partial = ""
        var ended = false
        var waiters: [UInt64: AsyncStream<Void>.Continuation] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    func append(_ data: Data) {
        let waiters = state.withLock { state in
            state.partial += String(decoding: data, as: UTF8.self)
            var lines = state.partial.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            state.partial = lines.removeLast()
            state.lines += lines
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.yield() }
    }

    /// The output ended: waiters give up once their condition no longer can become true.
    func finish() {
        let waiters = state.withLock { state in
            state.ended = true
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.finish() }
    }

    var lines: [String] { state.withLock { $0.lines } }

    /// Everything received, exactly.
    var text: String { state.withLock { $0.lines.map { $0 + "\n" }.joined() + $0.partial } }

    /// Waits until the output ends.
    func waitForEnd() async {
        _ = await wait { _ -> Bool? in nil }
    }

    /// The condition's first value, or `nil` when the output ends without one.
    func wait<T: Sendable>(for condition: @Sendable ([String]) -> T?) async -> T? {
        let (changes, changed) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let (id, ended) = state.withLock { state in
            defer { state.nextWaiter += 1 }
            if !state.ended { state.waiters[state.nextWaiter] = changed }
            return (state.nextWaiter, state.ended)
        }
        defer { state.withLock { _ = $0.waiters.removeValue(forKey: id) } }
        if let value = condition(lines) { return value }
        if ended { return nil }
        for await _ in changes {
            if let value = condition(lines) { return value }
        }
        return condition(lines)
    }
}

/// Reads a pipe on a plain thread with blocking reads (no dispatch source watches it) until end of
/// file, feeding `collector`.
func readContinuously(_ pipe: Pipe, into collector: LineCollector) {
    let descriptor = pipe.fileHandleForReading.fileDescriptor
    Thread {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 1)
        defer { buffer.deallocate() }
        while true {
            let count = read(descriptor, buffer.baseAddress, buffer.count)
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            collector.append(Data(buffer[0..<count]))
        }
        collector.finish()
        withExtendedLifetime(pipe) {}
    }.start()
}

/// The process's output ended before the awaited line.
struct EndOfOutput: Error, CustomStringConvertible {
    var description: String { "the output ended" }
}

/// The process ID a log line was written by (`[pid N]`).
func loggedPID(_ line: String) -> Int32? {
    guard let start = line.range(of: "[pid ") else { return nil }
    return Int32(line[start.upperBound...].prefix { $0.isNumber })
}

/// Sets SIGPIPE to ignored unless someone installed a handler (a file-scope function, since
/// `RunningProcess.signal(_:)` hides the C `signal` inside the class).
private func ignoreDefaultSIGPIPE() {
    var current = sigaction()
    guard sigaction(SIGPIPE, nil, &current) == 0 else { return }
    #if canImport(Glibc)
    let isDefault = current.__sigaction_handler.sa_handler == nil && current.sa_flags & SA_SIGINFO == 0
    #else
    let isDefault = current.__sigaction_u.__sa_handler == nil && current.sa_flags & SA_SIGINFO == 0
    #endif
    if isDefault { signal(SIGPIPE, SIG_IGN) }
}
