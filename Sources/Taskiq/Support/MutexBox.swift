import Synchronization

/// A reference to a value guarded by a mutex, for small shared state read and written whole.
final class MutexBox<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    var value: Value {
        get { mutex.withLock { $0 } }
        set { mutex.withLock { $0 = newValue } }
    }
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R where R: Sendable {
        try mutex.withLock { try body(&$0) }
    }
}
