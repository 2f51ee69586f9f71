/// A location in a JSON document, written as `middlewares[1].default_retry_count`.
struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    private(set) var text: String

    /// The document itself.
    static let root = JSONPath(text: "")

    /// The path of a member of the object at this path.
    func key(_ name: String) -> JSONPath {
        let simple = !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "$" || $0 == "-" }
        let component = simple ? name : "[\(String(reflecting: name))]"
        if !simple { return JSONPath(text: text + component) }
        return JSONPath(text: text.isEmpty ? component : text + "." + component)
    }

    /// This path followed by a relative path already written in path syntax (`queues[1].name`),
    /// as a component's `check` names an option or a part of one.
    func appending(relative: String) -> JSONPath {
        JSONPath(text: text.isEmpty ? relative : text + "." + relative)
    }

    /// The path of an element of the array at this path.
    func index(_ position: Int) -> JSONPath {
        JSONPath(text: text + "[\(position)]")
    }

    var description: String { text }
}
