import Foundation

/// Unbuffered writes to standard output and standard error, so output survives `exit`.
package enum Console {
    /// Writes to standard output.
    package static func out(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Writes to standard error.
    package static func error(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
