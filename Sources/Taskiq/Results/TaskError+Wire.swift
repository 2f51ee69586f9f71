extension TaskError {
    /// The wire form: taskiq's `ExceptionRepr` JSON object.
    public var wireValue: JSONValue {
        .object([
            "exc_type": .string(name),
            "exc_message": .array(arguments),
            "exc_module": module.map(JSONValue.string) ?? .null,
            "exc_cause": cause?.error.wireValue ?? .null,
            "exc_context": context?.error.wireValue ?? .null,
            "exc_suppress_context": .bool(suppressContext),
        ])
    }

    /// Decodes the `ExceptionRepr` form; `exc_type`, `exc_message` and `exc_module` are required.
    public init(wireValue value: JSONValue, depth: Int = 0) throws(TaskiqError) {
        guard depth < 64 else { throw TaskiqError(.invalidResult, "error causes nested deeper than 64 levels") }
        guard case .object(let o) = value else {
            throw TaskiqError(.invalidResult, "field 'error' must be an object or null, found \(value.typeName)")
        }
        guard case .string(let name)? = o["exc_type"] else {
            throw TaskiqError(.invalidResult, "error field 'exc_type' must be a string")
        }
        let arguments: [JSONValue]
        switch o["exc_message"] {
        case .array(let a)?: arguments = a
        case .string(let s)?: arguments = [.string(s)]
        default: throw TaskiqError(.invalidResult, "error field 'exc_message' must be an array")
        }
        let module: String?
        switch o["exc_module"] {
        case .string(let m)?: module = m
        case .null?: module = nil
        default: throw TaskiqError(.invalidResult, "error field 'exc_module' must be a string or null")
        }
        func nested(_ key: String) throws(TaskiqError) -> TaskError? {
            guard let v = o[key], !v.isNull else { return nil }
            return try TaskError(wireValue: v, depth: depth + 1)
        }
        self.init(
            name: name, arguments: arguments, module: module, cause: try nested("exc_cause"),
            context: try nested("exc_context"), suppressContext: o["exc_suppress_context"]?.boolValue ?? false)
    }
}
