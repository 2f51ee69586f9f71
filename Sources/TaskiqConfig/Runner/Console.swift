import Taskiq

/// Unbuffered writes to standard output and standard error, so output survives `exit`.
package enum Console {
    /// Writes to standard output.
    package static func out(_ text: String) {
        FileDescriptor.standardOutput.writeAll(text)
    }

    /// Writes to standard error.
    package static func error(_ text: String) {
        FileDescriptor.standardError.writeAll(text)
    }
}
