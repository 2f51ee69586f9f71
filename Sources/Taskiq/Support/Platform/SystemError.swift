#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call's `errno`, with the system's text for it.
package struct SystemError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The `errno` value.
    package var code: Int32

    package init(code: Int32) {
        self.code = code
    }

    /// The calling thread's `errno` now; read it right after the failed call.
    package static var current: SystemError { SystemError(code: errno) }

    /// `strerror(code)`, such as "Connection refused"; the current `errno` by default.
    package static func text(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

    /// The system's text, such as "No space left on device".
    package var description: String { Self.text(code) }

    /// The text with the code's symbolic name for the errors an operator acts on:
    /// `No space left on device (ENOSPC)`, else `... (errno N)`.
    package var detailedDescription: String {
        let names: [Int32: String] = [
            ENOSPC: "ENOSPC", EACCES: "EACCES", ENOENT: "ENOENT", EPIPE: "EPIPE", EBADF: "EBADF",
            EIO: "EIO", EISDIR: "EISDIR", EROFS: "EROFS", EDQUOT: "EDQUOT", EAGAIN: "EAGAIN",
        ]
        return names[code].map { "\(description) (\($0))" } ?? "\(description) (errno \(code))"
    }

    /// Whether the call failed because the file does not exist (`ENOENT`).
    package var isNoSuchFile: Bool { code == ENOENT }
    /// Whether an exclusive create found the file already there (`EEXIST`).
    package var isFileExists: Bool { code == EEXIST }
    /// `EIO`, for a write that made no progress without an `errno`.
    package static var inputOutput: SystemError { SystemError(code: EIO) }
}
