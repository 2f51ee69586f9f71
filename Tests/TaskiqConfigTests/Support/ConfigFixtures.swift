import Foundation
import Taskiq
import TaskiqExamples

@testable import TaskiqConfig

/// The example task modules and the config-loading helper the config tests share.
enum Fixtures {
    static let modules = [ExampleTasks.module]

    /// Loads and validates, expecting an error.
    static func error(
        loading file: String, environment: [String: String] = [:],
        registry: ComponentRegistry = .standard
    ) -> ConfigError? {
        do {
            _ = try TaskiqConfiguration.load(file, registry: registry, modules: modules, environment: environment)
            return nil
        } catch {
            return error
        }
    }
}
