import Taskiq
import TaskiqConfig
import TaskiqExamples

/// The configuration loader and validator: one input is the text of a configuration file.
///
/// The file is loaded as `taskiq-run -c` loads it: parsed, `extends` followed, `${VAR}`
/// interpolated (from an empty environment), then validated against the standard registry and
/// the example tasks. Files are read from memory, so `extends` reaches only `taskiq.json` (a
/// copy of examples/taskiq.json) or the input itself (a cycle), never the disk. Both steps
/// throw only `ConfigError`, which their typed `throws` guarantees; the harness looks for traps.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let files = ["/fuzz/input.json": fuzzBytes(start, count), "/fuzz/taskiq.json": baseFile]
    let loader = ConfigLoader(environment: [:]) { files[$0] }
    do {
        let document = try loader.load("/fuzz/input.json")
        let configuration = try TaskiqConfiguration(
            document: document, registry: .standard,
            modules: [ExampleTasks.module])
        expect(
            configuration.brokerNames.first == TaskiqConfiguration.defaultBrokerName,
            "the default broker is not listed first")
    } catch {
        expect(!error.message.isEmpty, "a ConfigError without a message: \(error.code)")
    }
    return 0
}

/// examples/taskiq.json, the base that the example configurations extend.
private let baseFile = Array(
    """
    {
      "$schema": "./taskiq.schema.json",
      "broker": {"type": "inmemory"},
      "result_backend": {"type": "inmemory", "max_stored_results": 1000},
      "task_id_generator": "uuid4",
      "middlewares": [{"type": "simple_retry", "default_retry_count": 3}],
      "tasks": {"discover": "examples.*"},
      "worker": {
        "workers": 1, "max_async_tasks": 100, "max_prefetch": 0, "ack_type": "when_saved",
        "shutdown_timeout": 30, "log_level": "${TASKIQ_LOG_LEVEL:-info}", "log_format": "text",
        "sync_tasks_pool_size": 4, "cast_types": true
      },
      "schedules": []
    }
    """.utf8)
