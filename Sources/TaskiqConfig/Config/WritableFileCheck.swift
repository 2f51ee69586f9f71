import Taskiq

/// Whether this process could open a file for reading and appending, asked without creating it,
/// so that `check` leaves no file behind.
enum WritableFileCheck {
    /// Why `path` cannot be opened for reading and appending (created when absent), or `nil` when it can.
    static func problem(with path: String) -> String? {
        do {
            if try FileSystem.kind(of: path) == .directory { return "'\(path)' is a directory, not a file" }
        } catch {
            guard error.isNoSuchFile else { return "cannot use '\(path)': \(error)" }
            return directoryProblem(for: path)
        }
        do {
            try FileSystem.checkAccess(path, read: true, write: true)
        } catch {
            return "cannot open '\(path)' for reading and writing: \(error)"
        }
        return nil
    }

    /// Why a missing `path` cannot be created in its directory, or `nil` when it can.
    private static func directoryProblem(for path: String) -> String? {
        let directory = path.lastIndex(of: "/").map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        do {
            guard try FileSystem.kind(of: directory) == .directory else {
                return "cannot create '\(path)': '\(directory)' is not a directory"
            }
        } catch {
            return "cannot create '\(path)': directory '\(directory)': \(error)"
        }
        do {
            try FileSystem.checkAccess(directory, write: true, execute: true)
        } catch {
            return "cannot create '\(path)' in directory '\(directory)': \(error)"
        }
        return nil
    }
}
