import TaskiqConfig
import TaskiqDiagnostics
import TaskiqExamples

await TaskiqRunner(modules: [ExampleTasks.module], extensions: [.diagnostics]).main()
