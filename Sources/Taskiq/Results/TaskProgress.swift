/// Progress reported by a running task (taskiq's `TaskProgress`).
public struct TaskProgress: Sendable, Hashable {
    /// The state: `STARTED`, `FAILURE`, `SUCCESS`, `RETRY` or any other string.
    public var state: String
    /// Any JSON detail, such as `{"pct": 50}`.
    public var meta: JSONValue?

    /// Creates a progress report.
    public init(state: String, meta: JSONValue? = nil) {
        self.state = state
        self.meta = meta
    }

    /// The wire form: `{"state": ..., "meta": ...}`.
    public var wireValue: JSONValue { ["state": .string(state), "meta": meta ?? .null] }

    /// Decodes the wire form.
    public init(wireValue value: JSONValue) throws(TaskiqError) {
        guard case .string(let state)? = value.objectValue?["state"] else {
            throw TaskiqError(.invalidResult, "invalid progress: expected an object with a string 'state'")
        }
        let meta = value.objectValue?["meta"]
        self.init(state: state, meta: meta?.isNull == true ? nil : meta)
    }
}
