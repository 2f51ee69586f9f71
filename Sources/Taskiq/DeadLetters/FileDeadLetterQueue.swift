#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

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
            try withLockedFile(flags: O_RDWR | O_APPEND | O_CREAT) { fd in try appendLine(value, to: fd) }
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
            try withLockedFile(flags: O_RDWR | O_APPEND | O_CREAT) { fd in
                let letters = Self.letters(in: try Self.contents(of: fd, path: path), logger: nil)
                guard letters.contains(where: { $0.id == id }) else { return false }
                try appendLine(["removed": .string(id)], to: fd)
                return true
            }
        }
    }

    @discardableResult
    public func purge() async throws -> Int {
        try await onIO { [self] in
            try withLockedFile(flags: O_RDWR | O_CREAT) { fd in
                let count = Self.letters(in: try Self.contents(of: fd, path: path), logger: nil).count
                guard ftruncate(fd, 0) == 0 else { throw failure("cannot empty") }
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
    private func appendLine(_ value: JSONValue, to fd: Int32) throws {
        var line: [UInt8] = []
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure("cannot inspect") }
        if info.st_size > 0 {
            var last: UInt8 = 0
            guard pread(fd, &last, 1, off_t(info.st_size - 1)) == 1 else { throw failure("cannot read") }
            if last != UInt8(ascii: "\n") { line.append(UInt8(ascii: "\n")) }
        }
        line += value.serialized(style: .compact)
        line.append(UInt8(ascii: "\n"))
        var offset = 0
        while offset < line.count {
            let written = line[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw failure("cannot write to") }
            offset += written
        }
        guard fsync(fd) == 0 else { throw failure("cannot flush") }
    }

    /// The letters in file order, with removed ones left out.
    private func read() throws -> [DeadLetter] {
        let bytes: [UInt8]
        do {
            bytes = try withLockedFile(flags: O_RDONLY, exclusive: false) { fd in try Self.contents(of: fd, path: path) }
        } catch let error as TaskiqError where (error.underlying as? POSIXError)?.code == .ENOENT {
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

    private static func contents(of fd: Int32, path: String) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var offset: off_t = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else {
                throw TaskiqError(.deadLetterQueue, "cannot read the dead-letter file \(path)",
                                  underlying: POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO))
            }
            if count == 0 { return bytes }
            bytes += buffer[..<count]
            offset += off_t(count)
        }
    }

    /// Opens the file and holds `flock` on it for `body`: exclusive for writers, shared for readers,
    /// across every process using the file (this process's calls are already serialised by ``io``).
    private func withLockedFile<T>(flags: Int32, exclusive: Bool = true, _ body: (Int32) throws -> T) throws -> T {
        let fd = open(path, flags | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("cannot open") }
        defer { close(fd) }
        guard flock(fd, exclusive ? LOCK_EX : LOCK_SH) == 0 else { throw failure("cannot lock") }
        defer { flock(fd, LOCK_UN) }
        return try body(fd)
    }

    private func failure(_ what: String) -> TaskiqError {
        let code = errno
        return TaskiqError(.deadLetterQueue, "\(what) the dead-letter file \(path)",
                           underlying: POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO))
    }
}
