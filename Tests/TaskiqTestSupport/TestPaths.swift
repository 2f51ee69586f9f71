import Foundation

/// Where the package's files are, found from this file's path, so tests run from any directory.
package enum TestPaths {
    /// The package root: the nearest folder above this file that holds `Package.swift`.
    package static let packageRoot: URL = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory
            }
            directory.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    /// The path of `examples/<name>`.
    package static func example(_ name: String) -> String {
        packageRoot.appendingPathComponent("examples/\(name)").path
    }
}
