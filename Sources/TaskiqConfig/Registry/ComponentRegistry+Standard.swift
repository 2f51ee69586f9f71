import Taskiq

extension ComponentRegistry {
    /// The built-in types: the `inmemory` broker; the `inmemory` and `dummy` result backends; the
    /// `simple_retry` middleware; the `uuid4`, `uuid7` and `uuid4_dashed` task-ID generators.
    public static var standard: ComponentRegistry {
        var registry = ComponentRegistry()
        registry.register(
            broker: "inmemory",
            summary: "Runs tasks inside this process as they are kicked; for development, tests and one-off runs.",
            options: [
                .integer("sync_tasks_pool_size", default: 4, range: 1...1024,
                         description: "Threads that run synchronous tasks."),
                .integer("max_stored_results", default: 100, range: -1...Int.max,
                         description: "Results kept by the broker's own in-memory backend; -1 keeps all."),
                .boolean("cast_types", default: true,
                         description: "Convert arguments losslessly to the parameter types (\"5\" to 5)."),
                .string("logs_format", default: nil,
                        description: "Python-logging-style format for logs captured into results; null captures none."),
                .boolean("await_inplace", default: false,
                         description: "Make kiq return only after the task finished."),
            ],
            isProcessLocal: true
        ) { options in
            InMemoryBroker(syncTasksPoolSize: try options.int("sync_tasks_pool_size"),
                           logsFormat: try options.optionalString("logs_format"),
                           maxStoredResults: try options.int("max_stored_results"),
                           castTypes: try options.bool("cast_types"),
                           awaitInplace: try options.bool("await_inplace"))
        }

        registry.register(
            resultBackend: "inmemory",
            summary: "Keeps results in this process's memory, oldest evicted first.",
            options: [
                .integer("max_stored_results", default: 100, range: -1...Int.max,
                         description: "Results kept; -1 keeps all."),
            ],
            isProcessLocal: true
        ) { options in
            InMemoryResultBackend(maxStoredResults: try options.int("max_stored_results"))
        }
        registry.register(resultBackend: "dummy", summary: "Stores nothing; every result reads as null.") { _ in
            DummyResultBackend()
        }

        registry.register(
            middleware: "simple_retry",
            summary: "Re-sends failed tasks whose retry_on_error label is true, as taskiq's SimpleRetryMiddleware.",
            options: [
                .integer("default_retry_count", default: 3, range: 1...1000,
                         description: "Total attempts when a message has no max_retries label."),
                .boolean("default_retry_label", default: false,
                         description: "Retry tasks that have no retry_on_error label."),
                .boolean("no_result_on_retry", default: true,
                         description: "Store no result for attempts that will be retried."),
            ]
        ) { options in
            SimpleRetryMiddleware(defaultRetryCount: try options.int("default_retry_count"),
                                  defaultRetryLabel: try options.bool("default_retry_label"),
                                  noResultOnRetry: try options.bool("no_result_on_retry"))
        }

        registry.register(taskIDGenerator: "uuid4", summary: "Random UUIDs as 32 hex digits (taskiq's default).") { _ in .uuid4 }
        registry.register(taskIDGenerator: "uuid7", summary: "Time-ordered UUIDv7 as 32 hex digits.") { _ in .uuid7 }
        registry.register(taskIDGenerator: "uuid4_dashed", summary: "Random UUIDs with dashes (36 characters).") { _ in .uuid4Dashed }
        return registry
    }
}
