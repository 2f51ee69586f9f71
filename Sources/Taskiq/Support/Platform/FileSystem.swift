#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Questions about paths asked of the system directly (`stat`, `access`), with the `errno` of a
/// failure, which Foundation's `FileManager` does not report.
package enum FileSystem {
    /// What a path names.
    package enum Kind: Sendable {
        /// A directory.
        case directory
        /// A regular file.
        case regularFile
        /// Anything else: a device, a pipe, a socket.
        case other
    }

    /// What `path` names (`stat`, following links).
    /// - Throws: ``SystemError``, such as `ENOENT` when nothing is there.
    package static func kind(of path: String) throws(SystemError) -> Kind {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .current }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .regularFile
        default: return .other
        }
    }

    /// Whether this process may read, write or search (`execute`) `path` (`access`).
    /// - Throws: ``SystemError``, such as `EACCES`, when one of the asked permissions is missing.
    package static func checkAccess(
        _ path: String, read: Bool = false, write: Bool = false,
        execute: Bool = false
    ) throws(SystemError) {
        let mode = (read ? R_OK : 0) | (write ? W_OK : 0) | (execute ? X_OK : 0)
        guard access(path, mode) == 0 else { throw .current }
    }

    /// Renames `source` to `destination` in one step, replacing it (`rename`).
    /// - Throws: ``SystemError`` when the rename fails.
    package static func rename(_ source: String, to destination: String) throws(SystemError) {
        guard systemRename(source, destination) == 0 else { throw .current }
    }

    /// `name` inside `directory`: `directory/name`, with one slash between them.
    package static func path(_ name: String, in directory: String) -> String {
        directory.isEmpty ? name : directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// The directory part of `path`, without a trailing slash: `a/b` for `a/b/c.json`, `/` for
    /// `/c.json`, and empty for a bare name.
    package static func directory(of path: String) -> String {
        var path = Substring(path)
        while path.count > 1, path.hasSuffix("/") { path = path.dropLast() }
        guard let slash = path.lastIndex(of: "/") else { return "" }
        if slash == path.startIndex { return "/" }
        var directory = path[..<slash]
        while directory.count > 1, directory.hasSuffix("/") { directory = directory.dropLast() }
        return String(directory)
    }

    /// Removes the file at `path` (`unlink`); a missing file is not an error.
    package static func remove(_ path: String) {
        _ = unlink(path)
    }
}

/// `rename(2)`, named apart from ``FileSystem/rename(_:to:)``.
private func systemRename(_ source: String, _ destination: String) -> Int32 {
    rename(source, destination)
}
