/// A registered task with its types erased: what a worker needs to run it from a message.
package struct AnyTask: Sendable {
    /// The task's name.
    package let name: String
    /// The task's default labels.
    package let labels: JSONObject
    /// Declared parameter names.
    package let parameterNames: [String]
    /// Swift type names of the parameters, for listings.
    package let parameterTypes: [String]
    /// Swift type name of the result.
    package let resultType: String
    /// Whether the task runs on the sync pool.
    package let isSynchronous: Bool
    /// Binds a message's arguments and returns the call to make.
    package let prepare: @Sendable (_ message: TaskiqMessage, _ castTypes: Bool) throws -> TaskInvocation
    /// Binds arguments as a worker would, without running anything: `nil` when they fit.
    package let checkArguments: @Sendable (_ args: [JSONValue], _ kwargs: JSONObject, _ castTypes: Bool) -> ArgumentProblem?

    /// A readable signature: `examples.add(a: Int, b: Int) -> Int`.
    package var signature: String {
        let params = parameterTypes.enumerated().map { i, type in
            i < parameterNames.count ? "\(parameterNames[i]): \(type)" : type
        }
        return "\(name)(\(params.joined(separator: ", "))) -> \(resultType)"
    }
}

/// A task call whose arguments are bound: run it directly (async) or on the sync pool.
package enum TaskInvocation: Sendable {
    /// Await the closure on the current task.
    case async(@Sendable () async throws -> JSONValue)
    /// Run the closure on a pool thread.
    case sync(@Sendable () throws -> JSONValue)
}

extension TaskDefinition {
    /// This definition with its types erased, for the registry.
    package var erased: AnyTask {
        let definition = self
        return AnyTask(
            name: name, labels: labels, parameterNames: parameterNames, parameterTypes: parameterTypes,
            resultType: Result.self == Void.self ? "Void" : String(describing: Result.self),
            isSynchronous: body.syncCall != nil,
            prepare: { message, castTypes in try definition.prepare(message, castTypes: castTypes) },
            checkArguments: { args, kwargs, castTypes in definition.argumentProblem(args: args, kwargs: kwargs, castTypes: castTypes) })
    }

    /// Binds and decodes arguments exactly as ``prepare(_:castTypes:)`` does, reporting the first
    /// argument that does not fit.
    private func argumentProblem(args: [JSONValue], kwargs: JSONObject, castTypes: Bool) -> ArgumentProblem? {
        let message = TaskiqMessage(taskID: "", taskName: name, labels: [:], args: args, kwargs: kwargs)
        var binder = ArgumentBinder(
            taskName: name, message: message, names: parameterNames,
            arity: arity, castTypes: castTypes)
        do {
            try binder.validate()
            _ = (repeat try binder.next((each Argument).self))
            return nil
        } catch {
            return ArgumentProblem(location: binder.failedAt ?? .missing(binder.index), message: error.message)
        }
    }

    private func prepare(_ message: TaskiqMessage, castTypes: Bool) throws -> TaskInvocation {
        var binder = ArgumentBinder(
            taskName: name, message: message, names: parameterNames,
            arity: arity, castTypes: castTypes)
        try binder.validate()
        let values = (repeat try binder.next((each Argument).self))
        let encode = encodeResult
        let body = self.body
        if let sync = body.syncCall {
            return .sync { try encode(sync.call(repeat each values)) }
        }
        let async = body.asyncCall!
        return .async { try encode(try await async.call(repeat each values)) }
    }
}
