extension TaskiqResult where Value == JSONValue {
    /// The wire form, in taskiq's field order.
    public var wireValue: JSONValue {
        .object([
            "is_err": .bool(isErr),
            "log": log.map(JSONValue.string) ?? .null,
            "return_value": returnValue ?? .null,
            "execution_time": .double(executionTime),
            "labels": .object(JSONObject(labels)),
            "error": error?.wireValue ?? .null,
        ])
    }

    /// Decodes the wire form. `is_err` and `return_value` are required, as in taskiq.
    public init(wireValue value: JSONValue) throws(TaskiqError) {
        guard case .object(let o) = value else {
            throw TaskiqError(.invalidResult, "invalid result: expected a JSON object, found \(value.typeName)")
        }
        guard case .bool(let isErr)? = o["is_err"] else {
            throw TaskiqError(.invalidResult, "invalid result: field 'is_err' must be a boolean")
        }
        guard let returnValue = o["return_value"] else {
            throw TaskiqError(.invalidResult, "invalid result: missing required field 'return_value'")
        }
        let log: String?
        switch o["log"] {
        case nil, .null?: log = nil
        case .string(let s)?: log = s
        case let other?: throw TaskiqError(.invalidResult, "invalid result: field 'log' must be a string or null, found \(other.typeName)")
        }
        let executionTime = o["execution_time"]?.doubleValue ?? 0
        var labels: [String: JSONValue] = [:]
        if case .object(let l)? = o["labels"] { labels = l.dictionary }
        var error: TaskError? = nil
        if let e = o["error"], !e.isNull { error = try TaskError(wireValue: e) }
        self.init(
            isErr: isErr, log: log, returnValue: returnValue, executionTime: executionTime,
            labels: labels, error: error)
    }
}
