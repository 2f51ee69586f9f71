import Synchronization

/// Cryptographically secure random words from the operating system, fetched 4 KiB at a time (16 system calls instead of 512).
///
/// `SystemRandomNumberGenerator` makes one `getrandom` system call per `next()`; a task ID needs
/// two words, so unbuffered that was the largest single cost of kicking an in-memory task. These
/// are the same kernel bytes, fetched in bulk and handed out once each. (A process that `fork`s
/// without `exec` would share the unused rest of the buffer with its child; the runner only ever
/// spawns fresh executables.)
final class RandomBuffer: Sendable {
    /// The process's buffer.
    static let shared = RandomBuffer()

    private static let capacity = 512  // words: 4 KiB per refill

    private struct State {
        var words: [UInt64] = []
        var next = 0
    }

    private let state = Mutex(State())

    /// Two fresh random words.
    func nextPair() -> (UInt64, UInt64) {
        state.withLock { state in
            if state.next + 2 > state.words.count {
                if state.words.isEmpty { state.words = Array(repeating: 0, count: Self.capacity) }
                state.words.withUnsafeMutableBytes { Self.fill($0) }
                state.next = 0
            }
            defer { state.next += 2 }
            return (state.words[state.next], state.words[state.next + 1])
        }
    }

    private static func fill(_ buffer: UnsafeMutableRawBufferPointer) { SystemRandom.fill(buffer) }
}
