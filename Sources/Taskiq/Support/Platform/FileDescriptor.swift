#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open file descriptor and the handful of file system calls the core makes with one:
/// single-`write(2)` appends, positioned reads, `flock`, `fsync`.
///
/// Every call returns or throws the `errno` of a failure as a ``SystemError``; nothing traps.
/// Descriptors it opens close on `exec`.
package struct FileDescriptor: Sendable, Hashable {
    /// The descriptor number.
    package let rawValue: Int32

    package init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// Standard output, descriptor 1.
    package static let standardOutput = FileDescriptor(rawValue: STDOUT_FILENO)
    /// Standard error, descriptor 2.
    package static let standardError = FileDescriptor(rawValue: STDERR_FILENO)

    /// How a file is opened.
    package struct Options: OptionSet, Sendable {
        package let rawValue: Int32
        package init(rawValue: Int32) { self.rawValue = rawValue }

        /// Open for reading only.
        package static let readOnly = Options(rawValue: O_RDONLY)
        /// Open for writing only.
        package static let writeOnly = Options(rawValue: O_WRONLY)
        /// Open for reading and writing.
        package static let readWrite = Options(rawValue: O_RDWR)
        /// Every write goes to the end of the file, atomically (`O_APPEND`).
        package static let append = Options(rawValue: O_APPEND)
        /// Create the file if it is missing, with mode 0644 (`O_CREAT`).
        package static let create = Options(rawValue: O_CREAT)
        /// With ``create``, fail if the file exists (`O_EXCL`).
        package static let exclusive = Options(rawValue: O_EXCL)
    }

    /// Whether the descriptor is a terminal (`isatty`).
    package var isTerminal: Bool { isatty(rawValue) == 1 }

    /// Opens `path`; the descriptor closes on `exec`.
    package static func open(_ path: String, _ options: Options) throws(SystemError) -> FileDescriptor {
        let fd = systemOpen(path, options.rawValue | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .current }
        return FileDescriptor(rawValue: fd)
    }

    /// Writes every byte, retrying `EINTR` and short writes; with ``Options/append`` a single
    /// call puts the bytes at the end of the file in one piece.
    /// - Returns: `nil` when every byte was written, else the failure (`EIO` for a write that wrote nothing).
    package func writeAll(_ bytes: UnsafeRawBufferPointer) -> SystemError? {
        guard var cursor = bytes.baseAddress else { return nil }
        var remaining = bytes.count
        while remaining > 0 {
            let result = systemWrite(rawValue, cursor, remaining)
            if result > 0 {
                cursor += result
                remaining -= result
            } else if result < 0 && errno == EINTR {
                continue
            } else {
                return result < 0 ? .current : .inputOutput
            }
        }
        return nil
    }

    /// Writes all of `text`'s UTF-8 bytes, as the byte-buffer `writeAll` does.
    /// - Returns: `nil` when every byte was written, else the failure.
    @discardableResult
    package func writeAll(_ text: String) -> SystemError? {
        var text = text
        return text.withUTF8 { writeAll(UnsafeRawBufferPointer($0)) }
    }

    /// Reads up to `buffer.count` bytes at `offset` (`pread`), retrying `EINTR`: the byte count, 0 at the end.
    package func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(SystemError) -> Int {
        while true {
            let count = pread(rawValue, buffer.baseAddress, buffer.count, off_t(offset))
            if count >= 0 { return count }
            if errno != EINTR { throw .current }
        }
    }

    /// The file's size in bytes (`fstat`).
    package func size() throws(SystemError) -> Int {
        var info = stat()
        guard fstat(rawValue, &info) == 0 else { throw .current }
        return Int(info.st_size)
    }

    /// Takes an advisory lock on the whole file (`flock`), exclusive or shared, waiting for it.
    package func lock(exclusive: Bool) throws(SystemError) {
        guard flock(rawValue, exclusive ? LOCK_EX : LOCK_SH) == 0 else { throw .current }
    }

    /// Releases the lock taken with ``lock(exclusive:)``.
    package func unlock() { _ = flock(rawValue, LOCK_UN) }

    /// Empties the file (`ftruncate` to 0).
    package func truncate() throws(SystemError) {
        guard ftruncate(rawValue, 0) == 0 else { throw .current }
    }

    /// Flushes the file's data to the disk (`fsync`).
    package func sync() throws(SystemError) {
        guard fsync(rawValue) == 0 else { throw .current }
    }

    /// Closes the descriptor.
    package func close() { _ = systemClose(rawValue) }
}

// The system calls whose names the type's own methods shadow.
private func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { open(path, flags, mode) }

private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { write(fd, bytes, count) }
