/// What depth mode measured: the broker server's memory with every task queued, and the drain.
package struct BenchDepth: Sendable, Hashable {
    /// The server's `used_memory` before the first kick, in bytes.
    package var memoryBeforeBytes: Int
    /// The server's `used_memory` with every task queued and no worker running, in bytes.
    package var memoryQueuedBytes: Int
    /// Tasks queued when the memory was read.
    package var queuedTasks: Int
    /// From starting the workers to their last completion.
    package var drainSeconds: Double
    /// Tasks the workers ran in that time.
    package var drained: Int

    /// The growth of the server's memory per queued task.
    package var bytesPerQueuedTask: Double {
        queuedTasks > 0 ? Double(memoryQueuedBytes - memoryBeforeBytes) / Double(queuedTasks) : 0
    }

    /// Tasks drained per second, worker start-up included.
    package var drainPerSecond: Double { drainSeconds > 0 ? Double(drained) / drainSeconds : 0 }
}
