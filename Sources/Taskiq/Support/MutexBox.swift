import Synchronization

/// A reference to a value guarded by a mutex, for small shared state read and written whole.
package final class MutexBox<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    package init(_ value: Value) { mutex = Mutex(value) }
    package var value: Value {
        get { mutex.withLock { $0 } }
        set { mutex.withLock { $0 = newValue } }
    }
    package func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R where R: Sendable {
        try mutex.withLock { try body(&$0) }
    }
}
