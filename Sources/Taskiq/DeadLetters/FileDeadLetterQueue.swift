import Dispatch

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Keeps dead letters in a JSON-lines file: one letter per line (see ``DeadLetter/jsonValue``),
/// appended and flushed to disk before ``add(_:)`` returns.
///
/// The file is only ever appended to, except by ``purge()``: removing a letter appends a line
/// `{"removed": "<id>"}`. Each line is written with one `write(2)` under an exclusive `flock`, so
/// several worker processes can share the file. A line cut short by a crash is ignored when
/// reading and the next letter starts on a new line; lines that are not letters are skipped with
/// a warning. IDs are time-ordered UUIDv7s.
///
/// The file work (open, `flock`, `write`, `fsync`) runs on the queue's own serial dispatch queue,
/// never on Swift's cooperative threads: a slow disk or another process holding the lock stalls
/// only dead-lettering, not the worker's other tasks (lease renewals among them).
public final class FileDeadLetterQueue: DeadLetterQueue {
    /// The file's path.
    public let path: String
    private let io = DispatchQueue(label: "taskiq.dead-letters.file")
    private let logger = Logger(label: "taskiq.dead_letters")

    /// Creates a queue over a file, which is created on the first letter.
    /// - Parameter path: The file; its directory must exist.
    public init(path: String) {
        self.path = path
    }

    @discardableResult
    public func add(_ letter: DeadLetter) async throws -> String {
        var letter = letter
        letter.id = TaskIDGenerator.uuid7()
        let value = letter.jsonValue
        try await onIO { [self] in
            try withLockedFile([.readWrite, .append, .create]) { file in try appendLine(value, to: file) }
        }
        return letter.id
    }

    public func list(order: DeadLetterOrder, limit: Int?) async throws -> [DeadLetter] {
        let letters = try await onIO { [self] in try read() }
        let ordered = order == .newestFirst ? Array(letters.reversed()) : letters
        return Array(ordered.prefix(max(0, limit ?? ordered.count)))
    }

    public func letter(id: String) async throws -> DeadLetter? {
        try await onIO { [self] in try read().first { $0.id == id } }
    }

    /// Removes a letter; the check and the removal happen under one exclusive lock, so of two
    /// processes removing the same letter exactly one gets `true`.
    @discardableResult
    public func remove(id: String) async throws -> Bool {
        try await onIO { [self] in
            try withLockedFile([.readWrite, .append, .create]) { file in
                let letters = Self.letters(in: try Self.contents(of: file, path: path), logger: nil)
                guard letters.contains(where: { $0.id == id }) else { return false }
                try appendLine(["removed": .string(id)], to: file)
                return true
            }
        }
    }

    @discardableResult
    public func purge() async throws -> Int {
        try await onIO { [self] in
            try withLockedFile([.readWrite, .create]) { file in
                let count = Self.letters(in: try Self.contents(of: file, path: path), logger: nil).count
                do { try file.truncate() } catch { throw failure("cannot empty", error) }
                return count
            }
        }
    }

    /// Runs blocking file work on ``io`` and returns its outcome.
    private func onIO<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            io.async { continuation.resume(with: Result { try work() }) }
        }
    }

    /// Appends one line to the locked file, starting a new line first when the file ends in a
    /// partial one, and flushes it to disk.
    private func appendLine(_ value: JSONValue, to file: FileDescriptor) throws {
        var line: [UInt8] = []
        let size: Int
        do { size = try file.size() } catch { throw failure("cannot inspect", error) }
        if size > 0 {
            var last: UInt8 = 0
            let read: Int
            do { read = try withUnsafeMutableBytes(of: &last) { try file.read(into: $0, at: size - 1) } } catch {
                throw failure("cannot read", error)
            }
            guard read == 1 else { throw failure("cannot read", SystemError.inputOutput) }
            if last != UInt8(ascii: "\n") { line.append(UInt8(ascii: "\n")) }
        }
        line += value.serialized(style: .compact)
        line.append(UInt8(ascii: "\n"))
        if let error = line.withUnsafeBytes({ file.writeAll($0) }) { throw failure("cannot write to", error) }
        do { try file.sync() } catch { throw failure("cannot flush", error) }
    }

    /// The letters in file order, with removed ones left out.
    private func read() throws -> [DeadLetter] {
        let bytes: [UInt8]
        do {
            bytes = try withLockedFile(.readOnly, exclusive: false) { file in try Self.contents(of: file, path: path) }
        } catch let error as TaskiqError where (error.underlying as? SystemError)?.isNoSuchFile == true {
            return []
        }
        return Self.letters(in: bytes, logger: logger)
    }

    static func letters(in bytes: [UInt8], logger: Logger?) -> [DeadLetter] {
        var letters: [DeadLetter] = []
        var removed: Set<String> = []
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        // The last piece is empty after a final newline, or a line cut short: neither is a letter.
        lines.removeLast()
        for (number, line) in lines.enumerated() where !line.isEmpty {
            do {
                let value = try JSONParser().parse(line)
                if let id = value.objectValue?["removed"]?.stringValue {
                    removed.insert(id)
                } else {
                    letters.append(try DeadLetter(jsonValue: value))
                }
            } catch {
                logger?.warning("skipping line \(number + 1) of the dead-letter file: \(error)")
            }
        }
        return removed.isEmpty ? letters : letters.filter { !removed.contains($0.id) }
    }

    private static func contents(of file: FileDescriptor, path: String) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count: Int
            do {
                count = try buffer.withUnsafeMutableBytes { try file.read(into: $0, at: bytes.count) }
            } catch {
                throw failure(path: path, "cannot read", error)
            }
            if count == 0 { return bytes }
            bytes += buffer[..<count]
        }
    }

    /// Opens the file and holds `flock` on it for `body`: exclusive for writers, shared for readers,
    /// across every process using the file (this process's calls are already serialised by ``io``).
    private func withLockedFile<T>(
        _ options: FileDescriptor.Options, exclusive: Bool = true,
        _ body: (FileDescriptor) throws -> T
    ) throws -> T {
        let file: FileDescriptor
        do { file = try FileDescriptor.open(path, options) } catch { throw failure("cannot open", error) }
        defer { file.close() }
        do { try file.lock(exclusive: exclusive) } catch { throw failure("cannot lock", error) }
        defer { file.unlock() }
        return try body(file)
    }

    private func failure(_ what: String, _ error: any Error) -> TaskiqError {
        Self.failure(path: path, what, error)
    }

    /// The error for a failed file operation, with its `errno` as a ``SystemError``.
    private static func failure(path: String, _ what: String, _ error: any Error) -> TaskiqError {
        TaskiqError(
            .deadLetterQueue, "\(what) the dead-letter file \(path)",
            underlying: (error as? SystemError) ?? SystemError.inputOutput)
    }
}
