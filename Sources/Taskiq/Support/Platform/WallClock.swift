#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The system's real-time clock (`CLOCK_REALTIME`), read without Foundation's `Date`.
package enum WallClock {
    /// Now, as whole seconds since the Unix epoch and nanoseconds within the second.
    package static func now() -> (seconds: Int, nanoseconds: Int) {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return (Int(spec.tv_sec), Int(spec.tv_nsec))
    }

    /// Now, in milliseconds since the Unix epoch.
    package static func unixMilliseconds() -> UInt64 {
        let (seconds, nanoseconds) = now()
        return UInt64(seconds) * 1000 + UInt64(nanoseconds) / 1_000_000
    }
}
