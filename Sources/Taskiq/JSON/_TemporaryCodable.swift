import Foundation
// TEMPORARY until the JSONValueEncoder/Decoder land.
extension JSONValue {
    init<T: Encodable>(encoding value: T) throws {
        if let v = value as? JSONValue { self = v; return }
        let data = try JSONEncoder().encode([value])
        let parsed = try JSONParser().parse([UInt8](data))
        self = parsed.arrayValue![0]
    }
    func decode<T: Decodable>(_ type: T.Type, lax: Bool) throws -> T {
        if T.self == JSONValue.self { return self as! T }
        if lax, T.self == Int.self, case .string(let s) = self, let i = Int(s) { return i as! T }
        let data = Data(JSONValue.array([self]).serialized(style: .compact))
        return try JSONDecoder().decode([T].self, from: data)[0]
    }
}
