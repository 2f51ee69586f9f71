import Foundation
import Taskiq
@testable import TaskiqConfig
import TaskiqExamples

/// A fresh temporary directory holding config files for one test.
struct TemporaryConfigDirectory {
    let url: URL

    init(files: [String: String] = [:]) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("taskiq-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, text) in files { try write(name, text) }
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func write(_ name: String, _ text: String) throws {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
    }
}

enum Fixtures {
    /// The package root, found from this file's path (Tests/TaskiqConfigTests/Support/…).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func example(_ name: String) -> String {
        packageRoot.appendingPathComponent("examples/\(name)").path
    }

    static let modules = [ExampleTasks.module]

    /// Loads and validates, expecting an error.
    static func error(loading file: String, environment: [String: String] = [:],
                      registry: ComponentRegistry = .standard) -> ConfigError? {
        do {
            _ = try TaskiqConfiguration.load(file, registry: registry, modules: modules, environment: environment)
            return nil
        } catch {
            return error
        }
    }
}

extension String {
    var lastPathComponent: String { (self as NSString).lastPathComponent }
}
