import Taskiq

extension ComponentRegistry {
    /// Registers the `uuid4`, `uuid7` and `uuid4_dashed` task-ID generators.
    mutating func registerTaskIDGeneratorTypes() {
        register(taskIDGenerator: "uuid4", summary: "Random UUIDs as 32 hex digits (taskiq's default).") { _ in .uuid4 }
        register(taskIDGenerator: "uuid7", summary: "Time-ordered UUIDv7 as 32 hex digits.") { _ in .uuid7 }
        register(taskIDGenerator: "uuid4_dashed", summary: "Random UUIDs with dashes (36 characters).") { _ in .uuid4Dashed }
    }
}
