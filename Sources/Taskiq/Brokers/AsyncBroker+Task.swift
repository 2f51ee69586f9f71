extension AsyncBroker {
    /// Defines an asynchronous task, registers it with this broker and binds it here.
    ///
    /// ```swift
    /// let add = broker.task("math.add") { (a: Int, b: Int) async throws -> Int in a + b }
    /// ```
    /// - Parameters:
    ///   - name: The registered name; derived from the call site when omitted (see ``TaskDefinition``).
    ///   - labels: Labels sent with every kick, in wire order.
    ///   - parameters: Parameter names, so producers can send keyword arguments.
    ///   - fileID: The calling file; leave the default. With `line`, it names the task when `name`
    ///     is omitted.
    ///   - line: The calling line; leave the default.
    ///   - body: The task.
    public func task<each A: Codable & Sendable, R: Codable & Sendable>(
        _ name: String? = nil, labels: JSONObject = [:], parameters: [String] = [],
        fileID: String = #fileID, line: Int = #line,
        _ body: @escaping @Sendable (repeat each A) async throws -> R
    ) -> TaskDefinition<repeat each A, R> {
        register(
            TaskDefinition(
                name, labels: labels, parameters: parameters, fileID: fileID,
                line: line, body))
    }

    /// Defines a synchronous task (run on the worker's thread pool), registers it and binds it here.
    public func task<each A: Codable & Sendable, R: Codable & Sendable>(
        _ name: String? = nil, labels: JSONObject = [:], parameters: [String] = [],
        fileID: String = #fileID, line: Int = #line,
        _ body: @escaping @Sendable (repeat each A) throws -> R
    ) -> TaskDefinition<repeat each A, R> {
        register(
            TaskDefinition(
                name, labels: labels, parameters: parameters, fileID: fileID,
                line: line, body))
    }

    /// Defines an asynchronous task that returns nothing, registers it and binds it here.
    public func task<each A: Codable & Sendable>(
        _ name: String? = nil, labels: JSONObject = [:], parameters: [String] = [],
        fileID: String = #fileID, line: Int = #line,
        _ body: @escaping @Sendable (repeat each A) async throws -> Void
    ) -> TaskDefinition<repeat each A, Void> {
        register(
            TaskDefinition(
                name, labels: labels, parameters: parameters, fileID: fileID,
                line: line, body))
    }

    /// Defines a synchronous task that returns nothing (run on the worker's thread pool), registers it and binds it here.
    public func task<each A: Codable & Sendable>(
        _ name: String? = nil, labels: JSONObject = [:], parameters: [String] = [],
        fileID: String = #fileID, line: Int = #line,
        _ body: @escaping @Sendable (repeat each A) throws -> Void
    ) -> TaskDefinition<repeat each A, Void> {
        register(
            TaskDefinition(
                name, labels: labels, parameters: parameters, fileID: fileID,
                line: line, body))
    }
}
