import Synchronization
import Taskiq

/// The `examples` task module that `taskiq-run` ships with.
///
/// Task names and parameter names are fixed: other tools, tests and Python producers rely on
/// them (`examples.add` with kwargs `a` and `b`, for instance).
/// ```swift
/// await TaskiqRunner(modules: [ExampleTasks.module]).main()
/// ```
public enum ExampleTasks {
    /// `examples.add(a: Int, b: Int) -> Int`: the sum; a sum outside `Int` is an error result.
    public static let add = TaskDefinition("examples.add", parameters: ["a", "b"]) {
        (a: Int, b: Int) async throws -> Int in
        // A producer (Python's ints are unbounded) must not be able to trap the worker with `+`.
        let (sum, overflow) = a.addingReportingOverflow(b)
        guard !overflow else { throw ExampleFailure(message: "examples.add: \(a) + \(b) overflows Int") }
        return sum
    }

    /// `examples.echo(value: JSONValue) -> JSONValue`: returns its argument unchanged.
    public static let echo = TaskDefinition("examples.echo", parameters: ["value"]) {
        (value: JSONValue) async throws -> JSONValue in value
    }

    /// `examples.sleep(seconds: Double)`: sleeps, ending early with `CancellationError` when cancelled.
    /// `seconds` must be from 0 to ``/Taskiq/Swift/Duration/maximumCheckedSeconds``; otherwise
    /// (NaN, negative, `1e21`) the result is a `DurationRangeError`.
    public static let sleep = TaskDefinition("examples.sleep", parameters: ["seconds"]) {
        (seconds: Double) async throws -> Void in
        try await Task.sleep(for: Duration.checkedSeconds(seconds, of: "examples.sleep seconds"))
    }

    /// `examples.fail()`: always throws ``ExampleFailure``, to exercise error paths and retries.
    public static let fail = TaskDefinition("examples.fail") { () async throws -> Void in
        throw ExampleFailure(message: "examples.fail always fails")
    }

    /// `examples.fib(n: Int) -> Int`: the n-th Fibonacci number by naive recursion.
    ///
    /// Deliberately exponential and synchronous, so it runs on the worker's thread pool and keeps
    /// a core busy: `fib(30)` takes a noticeable fraction of a second, `fib(40)` about a second in
    /// release. `n` must be in `0...40`: naive recursion to `fib(92)` (the largest that fits
    /// `Int`) would hold a pool thread for centuries, so any producer could take a worker's pool.
    public static let fib = TaskDefinition("examples.fib", parameters: ["n"]) { (n: Int) throws -> Int in
        guard (0...maximumFibonacciInput).contains(n) else {
            throw ExampleFailure(message: "examples.fib takes n in 0...\(maximumFibonacciInput), found \(n)")
        }
        return fibonacci(n)
    }

    /// The largest `n` that `examples.fib` accepts.
    public static let maximumFibonacciInput = 40

    /// `examples.heartbeat()`: logs one line containing `heartbeat` through the task's logger.
    public static let heartbeat = TaskDefinition("examples.heartbeat") { () async throws -> Void in
        TaskContext.current?.logger.info("heartbeat")
    }

    /// `examples.crash_once(marker: String) -> String`: kills the worker process the first time,
    /// succeeds when delivered again. A demonstration of crash safety, not a task to copy.
    ///
    /// Disabled unless the worker's environment sets ``crashOnceVariable`` to `1`: the examples
    /// are loaded by default, and no message may kill a worker that did not ask for it. Disabled,
    /// it fails with ``ExampleFailure`` and touches no file.
    ///
    /// If the file `marker` does not exist, it is created and the process traps, as a Swift
    /// runtime error (overflow, force-unwrap of `nil`, out-of-range index) would. With
    /// `workers > 1` the supervisor starts a new worker process, and a broker that holds
    /// unacknowledged messages (`redis_stream`) delivers the message again to a live worker, which
    /// finds the marker and returns `"recovered"`. With a broker that loses in-flight messages
    /// (ZeroMQ, `redis_list`) the task is simply lost: that is what this task makes visible.
    public static let crashOnce = TaskDefinition("examples.crash_once", parameters: ["marker"]) {
        (marker: String) async throws -> String in
        guard CurrentProcess.environment(crashOnceVariable) == "1" else {
            throw ExampleFailure(
                message:
                    "examples.crash_once is disabled: set \(crashOnceVariable)=1 in the worker's environment to let it crash the worker")
        }
        do throws(SystemError) {
            try FileDescriptor.open(marker, [.writeOnly, .create, .exclusive]).close()
        } catch {
            guard error.isFileExists else {
                throw ExampleFailure(message: "examples.crash_once cannot create \(marker): \(error)")
            }
            return "recovered"
        }
        TaskContext.current?.logger.warning("examples.crash_once: created \(marker); crashing this worker process on purpose")
        fatalError("examples.crash_once: deliberate crash (marker \(marker) created; the redelivery will succeed)")
    }

    /// `examples.relay(a: Int, b: Int, queue_name: String) -> String`: kicks `examples.add(a, b)`
    /// through the broker its own message came from and returns the follow-up's task ID without
    /// waiting for it. A non-empty `queue_name` is set as the follow-up's `queue_name` label, which
    /// the Redis brokers send to that stream or list instead of their own.
    ///
    /// A task kicking a task: with the `opentelemetry` middleware the follow-up joins the trace of
    /// the relay (and of whoever kicked it, Python or Swift).
    public static let relay = TaskDefinition("examples.relay", parameters: ["a", "b", "queue_name"]) {
        (a: Int, b: Int, queueName: String) async throws -> String in
        guard let broker = TaskContext.current?.broker else {
            throw ExampleFailure(message: "examples.relay kicks through its worker's broker; it runs only as a task")
        }
        let labels: JSONObject = queueName.isEmpty ? [:] : ["queue_name": .string(queueName)]
        return try await add.kicker().withBroker(broker).withLabels(labels).kiq(a, b).taskID
    }

    /// `examples.visits() -> Int`: how many times this task has run since its worker started,
    /// counted in the worker's shared state (``/Taskiq/TaskContext/state``), which the module's
    /// startup hook fills and its shutdown hook reports: a database pool would live there the same
    /// way.
    public static let visits = TaskDefinition("examples.visits") { () async throws -> Int in
        guard let context = TaskContext.current else {
            throw ExampleFailure(message: "examples.visits reads its worker's state; it runs only as a task")
        }
        return try context.state.require(.visits).increment()
    }

    /// The environment variable that enables `examples.crash_once` in a worker.
    public static let crashOnceVariable = "TASKIQ_EXAMPLES_CRASH_ONCE"

    /// The module: every task above, under the name `examples`, with the hooks that start and
    /// report the `examples.visits` counter.
    public static let module = TaskModule(
        "examples", tasks: [add, echo, sleep, fail, fib, heartbeat, crashOnce, relay, visits],
        hooks: [
            .onWorkerStartup("start the visit counter") { context in
                context.state.set(VisitCounter(), for: .visits)
            },
            .onWorkerShutdown("report the visits") { context in
                let served = context.state.remove(.visits)?.value ?? 0
                guard served > 0 else { return }
                context.logger.info("examples.visits ran \(served) time\(served == 1 ? "" : "s") in this worker")
            },
        ])

    /// The counter `examples.visits` keeps in the worker's state.
    public final class VisitCounter: Sendable {
        private let count = Atomic<Int>(0)
        /// Creates a counter at zero.
        public init() {}
        /// Adds one and returns the new count.
        public func increment() -> Int { count.add(1, ordering: .relaxed).newValue }
        /// The count.
        public var value: Int { count.load(ordering: .relaxed) }
    }

    private static func fibonacci(_ n: Int) -> Int {
        n < 2 ? n : fibonacci(n - 1) + fibonacci(n - 2)
    }
}

/// The error the example tasks throw.
public struct ExampleFailure: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    /// Creates the error.
    public init(message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

extension StateKey where Value == ExampleTasks.VisitCounter {
    /// Where the `examples` module keeps the `examples.visits` counter.
    public static let visits = StateKey("examples.visits")
}
