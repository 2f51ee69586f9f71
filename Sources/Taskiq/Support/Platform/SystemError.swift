#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The text of `errno` values, for error messages that say what the system said.
package enum SystemError {
    /// The calling thread's current `errno`; read it right after the failed call.
    package static var current: Int32 { errno }

    /// `strerror(code)`, such as "Connection refused"; the current `errno` by default.
    package static func text(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }
}
