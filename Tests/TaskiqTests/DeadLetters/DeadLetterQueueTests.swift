import Foundation
import TaskiqTestSupport
import Testing

@testable import Taskiq

/// A fresh temporary directory, removed when the value is dropped at the end of a test.
final class TemporaryDirectory: Sendable {
    let path: String
    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("taskiq-dl-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { path + "/" + name }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// The queue kinds that need no server, made fresh for each test.
enum LocalQueueKind: String, CaseIterable, Sendable {
    case inMemory, file

    func make(_ directory: TemporaryDirectory) -> any DeadLetterQueue {
        switch self {
        case .inMemory: InMemoryDeadLetterQueue()
        case .file: FileDeadLetterQueue(path: directory.file("letters.jsonl"))
        }
    }
}

@Suite struct DeadLetterQueueTests {
    @Test(arguments: LocalQueueKind.allCases)
    func addListRemoveAndPurge(_ kind: LocalQueueKind) async throws {
        let directory = try TemporaryDirectory()
        try await DeadLetterQueueContract.exercise(kind.make(directory))
    }

    @Test func theJSONFormKeepsUTF8BytesAsTextAndOthersAsBase64() throws {
        var letter = sampleLetter(1)
        letter.data = Array(#"{"task_id": "x"}"#.utf8)
        let text = letter.jsonValue
        #expect(text.objectValue?["data"] == .string(#"{"task_id": "x"}"#))
        #expect(try DeadLetter(jsonValue: text) == letter)
        let binary = sampleLetter(2).jsonValue
        #expect(binary.objectValue?["data"] == nil)
        #expect(binary.objectValue?["data_base64"] == .string(Data([0xFF, 0x00, 2]).base64EncodedString()))
        #expect(throws: TaskiqError.self) { try DeadLetter(jsonValue: ["message": "no reason"]) }
    }

    @Test func aFileCutShortByACrashLosesOnlyThePartialLine() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("letters.jsonl")
        let queue = FileDeadLetterQueue(path: path)
        let first = try await queue.add(sampleLetter(1))
        // A crash mid-write leaves half a line; a stray line that is not a letter is skipped.
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("not json\n{\"reason\": \"unknown_task\", \"mess".utf8))
        try handle.close()
        #expect(try await queue.list(limit: nil).map(\.id) == [first])
        let second = try await queue.add(sampleLetter(2))
        #expect(
            try await queue.list(order: .oldestFirst, limit: nil).map(\.id) == [first, second],
            "the next letter starts on a line of its own")
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 5 && lines.last == "", "every complete line ends with a newline: \(lines)")
    }

    @Test func removalAppendsAndAnotherInstanceSeesIt() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("letters.jsonl")
        let writer = FileDeadLetterQueue(path: path)
        let id = try await writer.add(sampleLetter(1))
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
        let reader = FileDeadLetterQueue(path: path)
        #expect(try await reader.remove(id: id))
        let grown = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
        #expect(grown > size, "removal appends a line rather than rewriting the file")
        #expect(try await writer.list(limit: nil).isEmpty)
    }

    @Test func concurrentRemovalsOfTheSameLetterSucceedOnce() async throws {
        // Two instances stand for two `dead-letters retry` processes: the check and the removal
        // happen under one lock, so each letter is removed (and so replayed) by exactly one.
        let directory = try TemporaryDirectory()
        let path = directory.file("letters.jsonl")
        let first = FileDeadLetterQueue(path: path)
        let second = FileDeadLetterQueue(path: path)
        var ids: [String] = []
        for index in 0..<20 { ids.append(try await first.add(sampleLetter(index))) }
        let removals = try await withThrowingTaskGroup(of: Bool.self) { group in
            for id in ids {
                group.addTask { try await first.remove(id: id) }
                group.addTask { try await second.remove(id: id) }
            }
            return try await group.reduce(into: 0) { count, removed in if removed { count += 1 } }
        }
        #expect(removals == 20)
        #expect(try await second.list(limit: nil).isEmpty)
    }

    @Test func aFileInAMissingDirectoryIsAClearError() async throws {
        let queue = FileDeadLetterQueue(path: "/nonexistent-taskiq-dir/letters.jsonl")
        let error = await #expect(throws: TaskiqError.self) { try await queue.add(sampleLetter(1)) }
        #expect(error?.code == .deadLetterQueue)
        #expect(error?.description.contains("/nonexistent-taskiq-dir/letters.jsonl") == true)
        #expect(try await queue.list(limit: nil).isEmpty, "a missing file reads as no letters")
    }

    @Test func theInMemoryQueueDropsTheOldestBeyondItsLimit() async throws {
        let queue = InMemoryDeadLetterQueue(maxEntries: 2)
        for n in 1...3 { try await queue.add(sampleLetter(n)) }
        #expect(try await queue.list(order: .oldestFirst, limit: nil).map(\.message) == ["letter 2", "letter 3"])
    }
}
