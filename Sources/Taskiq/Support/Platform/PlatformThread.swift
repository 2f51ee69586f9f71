#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts detached, named OS threads with `pthread_create`, without Foundation's `Thread`.
///
/// The transports' readers and writers, the sync task pool and the supervisor's child waiters
/// each own a thread that blocks in a system call; this is all they need from a thread type:
/// ```swift
/// try PlatformThread.start(name: "zmtp-writer") { writeLoop() }
/// ```
/// The thread is detached: nothing joins it, and it ends when `body` returns.
package enum PlatformThread {
    /// The stack reserved for a thread unless its caller asks otherwise: 8 MiB, glibc's usual
    /// default (what Foundation's `Thread` got). It is address space, not memory: only the
    /// pages a thread touches become resident.
    package static let defaultStackSize = 8 << 20

    /// The least stack a thread gets, whatever its caller asks: 256 KiB. `PTHREAD_STACK_MIN`
    /// (16 KiB, less the thread's TLS) is far too little for Swift code: the first use of a
    /// generic type on a thread can have the runtime demangle and instantiate its metadata
    /// there, tens of KiB deep, and overflowing the stack is a `SIGSEGV` with no backtrace.
    package static let minimumStackSize = 256 << 10

    /// Starts a detached thread named `name` that runs `body`.
    /// - Parameters:
    ///   - name: The thread's name for the OS (`ps -T`, debuggers); Linux keeps its first 15 bytes.
    ///   - stackSize: The bytes of stack to reserve; raised to ``minimumStackSize`` when smaller.
    ///   - body: The work; the thread ends when it returns.
    /// - Throws: ``SystemError`` when the thread cannot be created (`EAGAIN` when the process
    ///   or system is out of threads).
    package static func start(
        name: String, stackSize: Int = defaultStackSize,
        _ body: @escaping @Sendable () -> Void
    ) throws(SystemError) {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        pthread_attr_setstacksize(&attributes, max(stackSize, minimumStackSize, Int(PTHREAD_STACK_MIN)))
        let context = Unmanaged.passRetained(ThreadContext(name: name, body: body)).toOpaque()
        #if canImport(Glibc)
        var thread = pthread_t()
        #else
        var thread: pthread_t?
        #endif
        let status = pthread_create(
            &thread, &attributes,
            { raw in
                #if canImport(Glibc)
                let context = Unmanaged<ThreadContext>.fromOpaque(raw!).takeRetainedValue()
                #else
                let context = Unmanaged<ThreadContext>.fromOpaque(raw).takeRetainedValue()
                #endif
                CurrentProcess.nameThread(context.name)
                context.body()
                return nil
            }, context)
        guard status == 0 else {
            Unmanaged<ThreadContext>.fromOpaque(context).release()
            throw SystemError(code: status)
        }
    }
}

/// What a new thread needs, passed through `pthread_create`'s context pointer.
private final class ThreadContext {
    let name: String
    let body: @Sendable () -> Void

    init(name: String, body: @escaping @Sendable () -> Void) {
        self.name = name
        self.body = body
    }
}
