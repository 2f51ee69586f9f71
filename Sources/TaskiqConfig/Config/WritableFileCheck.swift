#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether this process could open a file for reading and appending, asked without creating it,
/// so that `check` leaves no file behind.
enum WritableFileCheck {
    /// Why `path` cannot be opened for reading and appending (created when absent), or `nil` when it can.
    static func problem(with path: String) -> String? {
        var info = stat()
        if stat(path, &info) == 0 {
            if (info.st_mode & S_IFMT) == S_IFDIR { return "'\(path)' is a directory, not a file" }
            guard access(path, R_OK | W_OK) == 0 else { return "cannot open '\(path)' for reading and writing: \(reason())" }
            return nil
        }
        guard errno == ENOENT else { return "cannot use '\(path)': \(reason())" }
        let directory = path.lastIndex(of: "/").map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        guard stat(directory, &info) == 0 else { return "cannot create '\(path)': directory '\(directory)': \(reason())" }
        guard (info.st_mode & S_IFMT) == S_IFDIR else { return "cannot create '\(path)': '\(directory)' is not a directory" }
        guard access(directory, W_OK | X_OK) == 0 else {
            return "cannot create '\(path)' in directory '\(directory)': \(reason())"
        }
        return nil
    }

    private static func reason() -> String { String(cString: strerror(errno)) }
}
