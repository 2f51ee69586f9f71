import Taskiq

extension ComponentRegistry {
    /// Registers the `pipelines` middleware: ``PipelineMiddleware``, which has no options (as
    /// taskiq-pipelines' `PipelineMiddleware` has none).
    mutating func registerPipelineTypes() {
        register(
            middleware: "pipelines",
            summary:
                "Runs the next step of taskiq-pipelines pipelines (call_next, call_after, map, filter, and groups) when a step's result is stored, and registers the taskiq_pipelines.shared collector tasks; wire-compatible with Python taskiq-pipelines 0.1.4."
        ) { _ in PipelineMiddleware() }
    }
}
