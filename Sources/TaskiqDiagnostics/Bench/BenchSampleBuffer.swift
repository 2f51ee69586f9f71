/// One latency slot per task, written by that task's own child and read after every child has
/// finished: open-loop mode records thousands of completions a second without a shared lock.
final class BenchSampleBuffer: @unchecked Sendable {
    /// A slot no task wrote: the task never finished.
    static let missing = UInt64.max

    private let slots: UnsafeMutableBufferPointer<UInt64>

    /// Creates `count` empty slots.
    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: Self.missing)
    }

    deinit {
        slots.deallocate()
    }

    /// Stores task `index`'s latency; each index is written by one task only.
    func store(_ nanoseconds: UInt64, at index: Int) {
        slots[index] = Swift.min(nanoseconds, Self.missing - 1)
    }

    /// The samples written, once no task writes any more.
    var written: [UInt64] { slots.filter { $0 != Self.missing } }
}
