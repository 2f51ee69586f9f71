import Taskiq

extension JSONValue {
    /// The value as indented JSON (two spaces, keys in order, `": "` separators), ending without a newline.
    var prettyPrinted: String {
        var out = ""
        write(into: &out, indent: "")
        return out
    }

    private func write(into out: inout String, indent: String) {
        let inner = indent + "  "
        switch self {
        case .array(let elements) where !elements.isEmpty:
            out += "[\n"
            for (index, element) in elements.enumerated() {
                out += inner
                element.write(into: &out, indent: inner)
                out += index == elements.count - 1 ? "\n" : ",\n"
            }
            out += indent + "]"
        case .object(let object) where !object.isEmpty:
            out += "{\n"
            for (index, entry) in object.enumerated() {
                out += inner + String(decoding: JSONValue.string(entry.key).serialized(style: .compact), as: UTF8.self) + ": "
                entry.value.write(into: &out, indent: inner)
                out += index == object.count - 1 ? "\n" : ",\n"
            }
            out += indent + "}"
        default:
            out += String(decoding: serialized(style: .compact), as: UTF8.self)
        }
    }
}
