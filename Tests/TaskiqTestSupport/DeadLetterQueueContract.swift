import Foundation
import Taskiq
import Testing

/// A letter whose fields are all set, with bytes that are not UTF-8.
package func sampleLetter(_ n: Int, reason: DeadLetter.Reason = .unknownTask) -> DeadLetter {
    DeadLetter(
        reason: reason, message: "letter \(n)", data: [0xFF, 0x00, UInt8(n)], taskName: "t\(n)", taskID: "id\(n)",
        broker: "default", queue: "taskiq", originalID: "1-\(n)", deliveries: n,
        timestamp: Date(timeIntervalSince1970: 1_700_000_000 + Double(n)),
        error: TaskError(name: "ValueError", arguments: [.string("bad \(n)")], module: "builtins"))
}

/// What every `DeadLetterQueue` must do, run against each implementation by its own tests.
package enum DeadLetterQueueContract {
    /// What every queue must do: assign IDs, list in both orders with limits, find, remove and purge.
    package static func exercise(_ queue: any DeadLetterQueue) async throws {
        #expect(try await queue.list(limit: nil).isEmpty)
        var ids: [String] = []
        for n in 1...4 { ids.append(try await queue.add(sampleLetter(n))) }
        #expect(Set(ids).count == 4 && !ids.contains(""))

        let newest = try await queue.list(order: .newestFirst, limit: 3)
        #expect(newest.map(\.message) == ["letter 4", "letter 3", "letter 2"])
        let oldest = try await queue.list(order: .oldestFirst, limit: nil)
        #expect(oldest.map(\.id) == ids)
        var expected = sampleLetter(1)
        expected.id = ids[0]
        #expect(oldest.first == expected, "every field, the non-UTF-8 bytes and the error survive")

        #expect(try await queue.letter(id: ids[1])?.taskName == "t2")
        #expect(try await queue.letter(id: "nope") == nil)
        #expect(try await queue.remove(id: ids[1]))
        #expect(try await queue.remove(id: ids[1]) == false)
        #expect(try await queue.remove(id: "nope") == false)
        #expect(try await queue.letter(id: ids[1]) == nil)
        #expect(try await queue.list(order: .oldestFirst, limit: nil).map(\.id) == [ids[0], ids[2], ids[3]])
        #expect(try await queue.purge() == 3)
        #expect(try await queue.list(limit: nil).isEmpty)
        #expect(try await queue.purge() == 0)
    }
}
