import TaskiqConfig
import TaskiqExamples

await TaskiqRunner(modules: [ExampleTasks.module]).main()
