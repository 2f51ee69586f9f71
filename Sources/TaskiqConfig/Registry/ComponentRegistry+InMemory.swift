import Taskiq

extension ComponentRegistry {
    /// The options of the `inmemory` broker. Worker settings (`cast_types`, `sync_tasks_pool_size`,
    /// `logs_format`) are in the `worker` section and the result limit in `result_backend`.
    struct InMemoryBrokerKeys: OptionGroup {
        let awaitInplace = Option<Bool>.boolean(
            "await_inplace", default: InMemoryBroker.defaultAwaitInplace,
            description: "Make kiq return only after the task finished.")
    }

    /// The options of the `inmemory` result backend.
    struct InMemoryResultBackendKeys: OptionGroup {
        let maxStoredResults = Option<Int>.integer(
            "max_stored_results", default: InMemoryResultBackend.defaultMaxStoredResults, range: -1...Int.max,
            description: "Results kept; -1 keeps all.")
    }

    /// The options of the `inmemory` dead-letter queue.
    struct InMemoryDeadLetterKeys: OptionGroup {
        let maxEntries = Option<Int?>.integer(
            "max_entries", range: 1...Int.max,
            description: "Letters kept, oldest dropped first; null keeps all.")
    }

    /// Registers the types that live inside this process: the `inmemory` broker, result backend,
    /// dead-letter queue and scheduler state store, the `dummy` result backend and the `local` lease.
    mutating func registerInMemoryTypes() {
        let broker = InMemoryBrokerKeys()
        register(
            broker: "inmemory",
            summary: "Runs tasks inside this process as they are kicked; for development, tests and one-off runs.",
            options: broker.declarations,
            isProcessLocal: true
        ) { options in
            InMemoryBroker(awaitInplace: try options[broker.awaitInplace])
        }

        let results = InMemoryResultBackendKeys()
        register(
            resultBackend: "inmemory",
            summary: "Keeps results in this process's memory, oldest evicted first.",
            options: results.declarations,
            isProcessLocal: true
        ) { options in
            InMemoryResultBackend(maxStoredResults: try options[results.maxStoredResults])
        }
        register(resultBackend: "dummy", summary: "Stores nothing; every result reads as null.") { _ in
            DummyResultBackend()
        }

        let letters = InMemoryDeadLetterKeys()
        register(
            deadLetterQueue: "inmemory",
            summary: "Keeps dead letters in this process's memory (lost on exit; other processes cannot list them).",
            options: letters.declarations,
            isProcessLocal: true
        ) { options in
            InMemoryDeadLetterQueue(maxEntries: try options[letters.maxEntries])
        }

        register(
            schedulerLease: "local",
            summary: "Always granted: for a single scheduler process (run only one).",
            isProcessLocal: true
        ) { _ in LocalSchedulerLease() }
        register(
            schedulerStateStore: "inmemory",
            summary: "Records sent slots in this process's memory: a restarted scheduler may send a slot again.",
            isProcessLocal: true
        ) { _ in InMemorySchedulerStateStore() }
    }
}
