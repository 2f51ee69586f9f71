/// A named group of task definitions, compiled in and selected by configuration.
///
/// A module does not know which broker it runs on: registering it with a broker binds every
/// definition there, so `MathTasks.add.kiq(1, 2)` then sends through that broker.
/// ```swift
/// enum MathTasks {
///     static let add = TaskDefinition("math.add", parameters: ["a", "b"]) { (a: Int, b: Int) in a + b }
///     static let module = TaskModule("math", tasks: [add])
/// }
/// broker.register(MathTasks.module)
/// ```
public struct TaskModule: Sendable {
    /// The module's dotted name, such as `billing.invoices`.
    public let name: String
    /// The module's tasks.
    public let tasks: [any RegistrableTask]
    /// What the module runs when a worker of its broker starts and stops (see ``LifecycleHook``).
    public let hooks: [LifecycleHook]

    /// Creates a module.
    /// - Parameters:
    ///   - name: The module's dotted name.
    ///   - tasks: Its tasks.
    ///   - hooks: Its worker startup and shutdown hooks, which fill the ``TaskiqState`` its tasks read.
    public init(_ name: String, tasks: [any RegistrableTask], hooks: [LifecycleHook] = []) {
        self.name = name
        self.tasks = tasks
        self.hooks = hooks
    }

    /// The names of the module's tasks.
    public var taskNames: [String] { tasks.map(\.name) }
}

/// A task definition of any signature, as a module lists it.
public protocol RegistrableTask: Sendable {
    /// The task's registered name.
    var name: String { get }
    /// Registers the task with a broker and binds it there.
    func register(with broker: any AsyncBroker)
}

extension TaskDefinition: RegistrableTask {
    /// Registers the task with a broker and binds it there.
    ///
    /// (This is the one place that registers a definition: calling the pack-generic
    /// `AsyncBroker.register(_:)` from here crashes the Swift 6.3 optimiser's cross-module pass.)
    public func register(with broker: any AsyncBroker) {
        broker.components.registry.register(erased)
        binding.bind(broker)
    }
}

extension AsyncBroker {
    /// Registers every task of a module with this broker and binds them here, and adds its
    /// lifecycle hooks to the broker's ``BrokerComponents/lifecycle``.
    public func register(_ module: TaskModule) {
        for task in module.tasks { task.register(with: self) }
        components.lifecycle.add(module.hooks, module: module.name)
    }

    /// The registered tasks' names, sorted.
    public var registeredTaskNames: [String] { components.registry.all.map(\.name) }
}
