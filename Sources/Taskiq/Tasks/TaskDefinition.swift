/// A typed task: a Swift closure with a name, default labels and declared parameter names.
///
/// Arguments and result are typed end to end through parameter packs: `add.kiq(1, 2)` only
/// compiles with two `Int`s and yields a `TaskHandle<Int>`. Create definitions with
/// `broker.task(...)`, which registers and binds them at once, or with the initialisers here to list
/// them in a ``TaskModule`` that a broker registers later.
///
/// ```swift
/// let add = broker.task("math.add", parameters: ["a", "b"]) { (a: Int, b: Int) async throws -> Int in a + b }
/// let handle = try await add.kiq(1, 2)
/// ```
///
/// **Default names.** When no name is given, the name is derived from where the definition is
/// written, `"<Module>.<File>:<line>"` (a definition on line 12 of `Sources/Billing/Invoices.swift`
/// is `Billing.Invoices:12`), so it is the same on every start of the same build, never random.
/// It changes when the line moves: give explicit names to tasks that other programs or other
/// versions kick.
///
/// **Synchronous closures** run on the worker's pool of threads, never on Swift's cooperative pool,
/// so CPU-bound or blocking work does not starve other tasks.
public struct TaskDefinition<each Argument: Codable & Sendable, Result: Sendable>: Sendable {
    /// The task's registered name.
    public let name: String
    /// Labels sent with every kick (kicker labels override them).
    public let labels: JSONObject
    /// Parameter names, in order, used to map keyword arguments from other producers.
    public let parameterNames: [String]
    /// Swift type names of the parameters, in order (`["Int", "Int"]` for `(Int, Int)`).
    ///
    /// Taken once, when the definition is made, so that nothing on the type-erased path walks the
    /// parameter pack again (see `docs/toolchain/pack-loop.md`: the 6.3 optimiser miscounts one
    /// form of pack loop in unspecialised code).
    public let parameterTypes: [String]

    let body: TaskBody<repeat each Argument, Result>
    let encodeResult: @Sendable (Result) throws -> JSONValue
    let decodeResult: @Sendable (JSONValue) throws -> Result
    let binding: TaskBinding

    init(
        name: String, labels: JSONObject, parameterNames: [String],
        body: TaskBody<repeat each Argument, Result>,
        encodeResult: @escaping @Sendable (Result) throws -> JSONValue,
        decodeResult: @escaping @Sendable (JSONValue) throws -> Result
    ) {
        self.name = name
        self.labels = labels
        self.parameterNames = parameterNames
        // The expansion statement, not `for _ in repeat`: see `parameterTypes`.
        var types: [String] = []
        repeat types.append(String(describing: (each Argument).self))
        self.parameterTypes = types
        self.body = body
        self.encodeResult = encodeResult
        self.decodeResult = decodeResult
        self.binding = TaskBinding()
    }

    /// The number of parameters.
    public var arity: Int { parameterTypes.count }

    /// Encodes typed arguments as the JSON values a message carries, in order.
    /// - Throws: ``TaskiqError`` with code `.sendFailed` naming the argument that
    ///   cannot be encoded.
    func encodeArguments(_ arguments: repeat each Argument) throws(TaskiqError) -> [JSONValue] {
        var values: [JSONValue] = []
        values.reserveCapacity(arity)
        do {
            repeat values.append(try JSONValue(encoding: each arguments))
        } catch {
            throw TaskiqError(.sendFailed, "cannot encode argument \(values.count + 1) of task '\(name)'", underlying: error)
        }
        return values
    }

    /// A kicker for this task, to set labels, the broker or the task ID of one kick.
    public func kicker() -> Kicker<repeat each Argument, Result> {
        Kicker(definition: self)
    }

    /// Sends the task with the given arguments to its broker.
    /// - Returns: A handle to read the typed result.
    /// - Throws: ``TaskiqError`` with code `.sendFailed` when the task is not bound to a
    ///   broker, or when a middleware, the formatter or the broker fails.
    public func kiq(_ arguments: repeat each Argument) async throws -> TaskHandle<Result> {
        try await kicker().kiq(repeat each arguments)
    }

    /// The broker this definition is bound to, if any.
    public var broker: (any AsyncBroker)? { binding.broker }
}

/// A task's closure: asynchronous, or synchronous for the thread pool.
/// (A struct, because optional variadic function values cannot be abstracted directly.)
struct TaskBody<each Argument, Result>: Sendable {
    struct AsyncCall: Sendable { let call: @Sendable (repeat each Argument) async throws -> Result }
    struct SyncCall: Sendable { let call: @Sendable (repeat each Argument) throws -> Result }
    let asyncCall: AsyncCall?
    let syncCall: SyncCall?
}

/// The broker a definition sends to; shared by all copies of the definition.
final class TaskBinding: Sendable {
    private let storage = MutexBox<(any AsyncBroker)?>(nil)
    var broker: (any AsyncBroker)? { storage.value }
    func bind(_ broker: any AsyncBroker) { storage.value = broker }
}

enum DefaultTaskName {
    /// Builds the documented default name from the call site: `<Module>.<File>:<line>`.
    static func make(fileID: String, line: Int) -> String {
        let parts = fileID.split(separator: "/", maxSplits: 1)
        let module = parts.first.map(String.init) ?? "main"
        var file = parts.count > 1 ? String(parts[1]) : fileID
        if file.hasSuffix(".swift") { file.removeLast(6) }
        return "\(module).\(String(file.map { $0 == "/" ? "." : $0 })):\(line)"
    }
}
