extension TaskDefinition where Result: Codable {
    /// Defines an asynchronous task.
    /// - Parameters:
    ///   - name: The registered name; derived from the call site when omitted (see ``TaskDefinition``).
    ///   - labels: Labels sent with every kick, in wire order.
    ///   - parameters: Parameter names, so producers can send keyword arguments.
    ///   - fileID: The calling file; leave the default. With `line`, it names the task when `name`
    ///     is omitted.
    ///   - line: The calling line; leave the default.
    ///   - body: The task.
    public init(
        _ name: String? = nil, labels: JSONObject = [:], parameters: [String] = [],
        fileID: String = #fileID, line: Int = #line,
        _ body: @escaping @Sendable (repeat each Argument) async throws -> Result
    ) {
        self.init(
            name: name ?? DefaultTaskName.make(fileID: fileID, line: line),
            labels: labels, parameterNames: parameters, body: TaskBody(asyncCall: .init(call: body), syncCall: nil),
            encodeResult: { try JSONValue(encoding: $0) },
            decodeResult: { try $0.decode(Result.self, lax: true) })
    }

    /// Defines a synchronous task, run on the worker's thread pool.
    /// - Parameters:
    ///   - name: The registered name; derived from the call site when omitted (see ``TaskDefinition``).
    ///   - labels: Labels sent with every kick, in wire order.
    ///   - parameters: Parameter names, so producers can send keyword arguments.
    ///   - fileID: The calling file; leave the default. With `line`, it names the task when `name`
    ///     is omitted.
    ///   - line: The calling line; leave the default.
    ///   - body: The task.
    public init(
        _ name: String? = nil, labels: JSONObject = [:], parameters: [String] = [],
        fileID: String = #fileID, line: Int = #line,
        _ body: @escaping @Sendable (repeat each Argument) throws -> Result
    ) {
        self.init(
            name: name ?? DefaultTaskName.make(fileID: fileID, line: line),
            labels: labels, parameterNames: parameters, body: TaskBody(asyncCall: nil, syncCall: .init(call: body)),
            encodeResult: { try JSONValue(encoding: $0) },
            decodeResult: { try $0.decode(Result.self, lax: true) })
    }
}

extension TaskDefinition where Result == Void {
    /// Defines an asynchronous task that returns nothing (its result's value is JSON `null`).
    public init(
        _ name: String? = nil, labels: JSONObject = [:], parameters: [String] = [],
        fileID: String = #fileID, line: Int = #line,
        _ body: @escaping @Sendable (repeat each Argument) async throws -> Void
    ) {
        self.init(
            name: name ?? DefaultTaskName.make(fileID: fileID, line: line),
            labels: labels, parameterNames: parameters, body: TaskBody(asyncCall: .init(call: body), syncCall: nil),
            encodeResult: { _ in .null }, decodeResult: { _ in () })
    }

    /// Defines a synchronous task that returns nothing, run on the worker's thread pool.
    public init(
        _ name: String? = nil, labels: JSONObject = [:], parameters: [String] = [],
        fileID: String = #fileID, line: Int = #line,
        _ body: @escaping @Sendable (repeat each Argument) throws -> Void
    ) {
        self.init(
            name: name ?? DefaultTaskName.make(fileID: fileID, line: line),
            labels: labels, parameterNames: parameters, body: TaskBody(asyncCall: nil, syncCall: .init(call: body)),
            encodeResult: { _ in .null }, decodeResult: { _ in () })
    }
}
