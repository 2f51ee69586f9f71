import Taskiq
import TaskiqConfig

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Counts the executions recorded in a directory of ``SoakRecorder`` files: how many times each
/// sequence number in `0..<capacity` was run.
///
/// Scanning is incremental: each call reads only what the files gained since the previous one,
/// and a line still missing its newline is kept until it is complete.
package struct SoakLedger: Sendable {
    private struct Cursor: Sendable {
        var offset: UInt64 = 0
        var partial: [UInt8] = []
    }

    /// Sequence numbers are `0..<capacity`.
    package let capacity: Int
    private var counts: [UInt16]
    private var cursors: [String: Cursor] = [:]
    /// Lines read, well-formed or not.
    package private(set) var lines = 0
    /// Sequence numbers seen at least once.
    package private(set) var distinct = 0
    /// Lines that are not a sequence number below ``capacity``.
    package private(set) var malformed = 0

    /// Creates an empty ledger for sequence numbers `0..<capacity`.
    package init(capacity: Int) {
        self.capacity = capacity
        counts = Array(repeating: 0, count: capacity)
    }

    /// Executions beyond the first: well-formed lines minus distinct sequence numbers.
    package var duplicated: Int { lines - malformed - distinct }
    /// Record files read.
    package var files: Int { cursors.count }
    /// Files whose last line has no newline yet (a torn write if the writer is gone).
    package var unterminatedFiles: Int { cursors.values.count { !$0.partial.isEmpty } }

    /// How many times `sequence` was recorded.
    package func count(of sequence: Int) -> Int {
        counts.indices.contains(sequence) ? Int(counts[sequence]) : 0
    }

    /// The sequence numbers of `sequences` never recorded.
    package func missing(_ sequences: some Sequence<Int>) -> [Int] {
        sequences.filter { count(of: $0) == 0 }
    }

    /// Reads what the `records-*.txt` files in `directory` gained since the last scan.
    /// - Throws: When the directory or a file cannot be read.
    package mutating func scan(directory: String) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasPrefix("records-") && $0.hasSuffix(".txt") }
            .sorted()
        for name in names {
            let path = FileSystem.path(name, in: directory)
            var cursor = cursors[path] ?? Cursor()
            let file = try FileDescriptor.open(path, .readOnly)
            defer { file.close() }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let count = try chunk.withUnsafeMutableBytes { try file.read(into: $0, at: Int(cursor.offset)) }
                if count == 0 { break }
                cursor.offset += UInt64(count)
                add(chunk[..<count], partial: &cursor.partial)
            }
            cursors[path] = cursor
        }
    }

    /// Counts the complete lines of `bytes`, `partial` holding the unfinished line before and after.
    package mutating func add(_ bytes: some Collection<UInt8>, partial: inout [UInt8]) {
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                count(line: partial)
                partial.removeAll(keepingCapacity: true)
            } else {
                partial.append(byte)
            }
        }
    }

    private mutating func count(line: [UInt8]) {
        lines += 1
        var value = 0
        guard !line.isEmpty, line.count <= 18 else {
            malformed += 1
            return
        }
        for byte in line {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
                malformed += 1
                return
            }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        guard value < capacity else {
            malformed += 1
            return
        }
        if counts[value] == 0 { distinct += 1 }
        if counts[value] < UInt16.max { counts[value] += 1 }
    }
}
