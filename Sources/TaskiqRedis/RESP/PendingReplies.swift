import Taskiq

/// The FIFO of commands written to a connection whose replies have not all arrived.
///
/// Redis answers strictly in order, so the oldest entry owns the next reply. An entry stands
/// for one command or a pipelined batch (`expected` replies). An abandoned entry (its caller
/// was cancelled) still consumes its replies, which are then dropped.
struct PendingReplies: Sendable {
    struct Entry: Sendable {
        var id: UInt64
        var command: String
        var expected: Int
        var replies: [RESPValue]
        var continuation: UnsafeContinuation<[RESPValue], any Error>?
        /// How long the reply may take to start arriving; `nil` waits forever (blocking commands).
        var timeout: Duration?
        /// Whether cancelling the caller closes the connection (blocking commands).
        var closesOnCancel: Bool
    }

    private var entries: [Entry] = []
    private var head = 0

    var isEmpty: Bool { head == entries.count }
    var first: Entry? { isEmpty ? nil : entries[head] }

    mutating func append(_ entry: Entry) {
        entries.append(entry)
    }

    /// Gives the oldest entry one reply; returns the entry when that completes it.
    mutating func receive(_ value: RESPValue) -> Entry? {
        guard !isEmpty else { return nil }
        entries[head].replies.append(value)
        guard entries[head].replies.count == entries[head].expected else { return nil }
        let done = entries[head]
        entries[head].continuation = nil
        entries[head].replies = []
        head += 1
        if head == entries.count {
            entries.removeAll(keepingCapacity: entries.capacity <= 4096)
            head = 0
        } else if head >= 1024, head * 2 >= entries.count {
            entries.removeFirst(head)
            head = 0
        }
        return done
    }

    /// Detaches the continuation of entry `id`, if it is still waiting.
    mutating func abandon(_ id: UInt64) -> Entry? {
        guard let index = entries[head...].firstIndex(where: { $0.id == id }), entries[index].continuation != nil else { return nil }
        let entry = entries[index]
        entries[index].continuation = nil
        return entry
    }

    /// Empties the FIFO, returning the continuations still waiting.
    mutating func removeAll() -> [UnsafeContinuation<[RESPValue], any Error>] {
        let waiting = entries[head...].compactMap(\.continuation)
        entries.removeAll()
        head = 0
        return waiting
    }
}
