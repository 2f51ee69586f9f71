import Foundation

/// A fresh temporary directory holding config files for one test.
package struct TemporaryConfigDirectory: Sendable {
    /// The directory.
    package let url: URL

    /// Creates the directory and writes `files` (name to text) into it.
    package init(files: [String: String] = [:]) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("taskiq-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, text) in files { try write(name, text) }
    }

    /// The path of `name` inside the directory.
    package func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes `text` to `name`, creating folders on the way.
    package func write(_ name: String, _ text: String) throws {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
    }
}

extension String {
    /// The last component of a path.
    package var lastPathComponent: String { (self as NSString).lastPathComponent }
}
