import Taskiq

// TEMPORARY: the JSON branch adds `JSONValue: Codable` in Taskiq itself (JSONValue+Codable.swift).
// Delete this file when that lands; until then `examples.echo` needs the conformance to compile.
// At run time the core library passes JSONValue arguments and results through without calling it.
extension JSONValue: Codable {
    /// Decodes any JSON value.
    public init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let bool = try? single.decode(Bool.self) {
            self = .bool(bool)
        } else if let int = try? single.decode(Int.self) {
            self = .int(int)
        } else if let double = try? single.decode(Double.self) {
            self = .double(double)
        } else if let string = try? single.decode(String.self) {
            self = .string(string)
        } else if let array = try? single.decode([JSONValue].self) {
            self = .array(array)
        } else {
            self = .object(JSONObject(try single.decode([String: JSONValue].self)))
        }
    }

    /// Encodes the value.
    public func encode(to encoder: any Encoder) throws {
        var single = encoder.singleValueContainer()
        switch self {
        case .null: try single.encodeNil()
        case .bool(let bool): try single.encode(bool)
        case .int(let int): try single.encode(int)
        case .double(let double): try single.encode(double)
        case .string(let string): try single.encode(string)
        case .array(let array): try single.encode(array)
        case .object(let object): try single.encode(object.dictionary)
        }
    }
}
