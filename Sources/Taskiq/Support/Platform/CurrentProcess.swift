#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Facts about the running process and thread that the toolchain does not expose.
package enum CurrentProcess {
    /// The process id (`getpid`).
    package static var id: Int32 { getpid() }

    /// Names the calling thread for the OS (`ps -T`, debuggers).
    ///
    /// Glibc's `pthread_setname_np` is not visible to Swift without `_GNU_SOURCE`, hence the
    /// lookup; Darwin's names only the calling thread.
    package static func nameThread(_ name: String) {
        #if canImport(Glibc)
        typealias SetName = @convention(c) (pthread_t, UnsafePointer<CChar>) -> Int32
        if let symbol = dlsym(nil, "pthread_setname_np") {
            _ = unsafeBitCast(symbol, to: SetName.self)(pthread_self(), name)
        }
        #elseif canImport(Darwin)
        _ = pthread_setname_np(name)
        #endif
    }

    /// The value of the environment variable `name`, or `nil` when unset (`getenv`, no copy of the environment).
    package static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
