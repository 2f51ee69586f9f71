import Synchronization

/// Keeps dead letters in this process's memory, for tests and embedded use.
///
/// IDs are increasing numbers as strings. With `maxEntries` the oldest letters are dropped once
/// the queue is full.
public final class InMemoryDeadLetterQueue: DeadLetterQueue {
    private struct State {
        var letters: [DeadLetter] = []
        var nextID = 1
    }

    private let state = Mutex(State())
    /// The most letters kept; `nil` keeps all.
    public let maxEntries: Int?

    /// Creates an empty queue.
    /// - Parameter maxEntries: The most letters kept, oldest dropped first; `nil` keeps all.
    public init(maxEntries: Int? = nil) {
        self.maxEntries = maxEntries
    }

    /// How many letters are stored now.
    public var count: Int { state.withLock { $0.letters.count } }

    @discardableResult
    public func add(_ letter: DeadLetter) async throws -> String {
        state.withLock { state in
            var letter = letter
            letter.id = String(state.nextID)
            state.nextID += 1
            state.letters.append(letter)
            if let maxEntries, state.letters.count > maxEntries {
                state.letters.removeFirst(state.letters.count - max(0, maxEntries))
            }
            return letter.id
        }
    }

    public func list(order: DeadLetterOrder, limit: Int?) async throws -> [DeadLetter] {
        let letters = state.withLock { $0.letters }
        let ordered = order == .newestFirst ? Array(letters.reversed()) : letters
        return Array(ordered.prefix(max(0, limit ?? ordered.count)))
    }

    public func letter(id: String) async throws -> DeadLetter? {
        state.withLock { $0.letters.first { $0.id == id } }
    }

    @discardableResult
    public func remove(id: String) async throws -> Bool {
        state.withLock { state in
            guard let index = state.letters.firstIndex(where: { $0.id == id }) else { return false }
            state.letters.remove(at: index)
            return true
        }
    }

    @discardableResult
    public func purge() async throws -> Int {
        state.withLock { state in
            defer { state.letters.removeAll() }
            return state.letters.count
        }
    }
}
