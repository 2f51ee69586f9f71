/// The spans a middleware has started and not yet ended, keyed as taskiq's Python middleware keys
/// them: by task ID and whether the span is the send (`true`) or the execute (`false`) side.
///
/// Bounded: a span whose end hook never runs (a send that failed before `postSend`, a worker that
/// lost the task) is evicted, oldest first, once ``capacity`` spans are open, so the table cannot
/// grow without limit.
struct SpanTable: Sendable {
    struct Key: Hashable, Sendable {
        var taskID: String
        var isPublish: Bool
    }

    private struct Entry: Sendable {
        var span: Span
        var sequence: UInt64
    }

    /// The most open spans kept.
    let capacity: Int
    private var entries: [Key: Entry] = [:]
    private var order = FIFOBuffer<(key: Key, sequence: UInt64)>()
    private var nextSequence: UInt64 = 0
    /// Spans evicted unended.
    private(set) var evicted = 0

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Open spans.
    var count: Int { entries.count }

    /// Stores a span, replacing (and returning) one open under the same key; evicts the oldest
    /// when full.
    mutating func insert(_ span: Span, for key: Key) {
        nextSequence &+= 1
        entries[key] = Entry(span: span, sequence: nextSequence)
        order.append((key, nextSequence))
        while entries.count > capacity, let oldest = order.popFirst() {
            if entries[oldest.key]?.sequence == oldest.sequence {
                entries[oldest.key] = nil
                evicted += 1
            }
        }
        // Keys removed or replaced leave stale entries in `order`; drop them before they pile up.
        if order.count > 2 * capacity + 16 {
            var live = FIFOBuffer<(key: Key, sequence: UInt64)>()
            while let item = order.popFirst() {
                if entries[item.key]?.sequence == item.sequence { live.append(item) }
            }
            order = live
        }
    }

    /// The open span under `key`.
    subscript(key: Key) -> Span? { entries[key]?.span }

    /// Changes the open span under `key`, if there is one.
    mutating func update(_ key: Key, _ body: (inout Span) -> Void) {
        guard var entry = entries[key] else { return }
        body(&entry.span)
        entries[key] = entry
    }

    /// Removes and returns the open span under `key`.
    mutating func remove(_ key: Key) -> Span? { entries.removeValue(forKey: key)?.span }
}
