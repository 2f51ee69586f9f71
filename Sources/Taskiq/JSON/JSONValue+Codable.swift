extension JSONValue: Codable {
    /// Decodes any JSON value. ``JSONValueDecoder`` hands the value over as it is; other decoders
    /// are probed type by type, and may not keep the order of object keys.
    public init(from decoder: any Decoder) throws {
        if let decoder = decoder as? ValueDecoder {
            self = decoder.value
            return
        }
        if var array = try? decoder.unkeyedContainer() {
            var elements: [JSONValue] = []
            while !array.isAtEnd { elements.append(try array.decode(JSONValue.self)) }
            self = .array(elements)
            return
        }
        if let object = try? decoder.container(keyedBy: JSONCodingKey.self) {
            var result = JSONObject()
            for key in object.allKeys { result[key.stringValue] = try object.decode(JSONValue.self, forKey: key) }
            self = .object(result)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let bool = try? single.decode(Bool.self) {
            self = .bool(bool)
        } else if let int = try? single.decode(Int.self) {
            self = .int(int)
        } else if let unsigned = try? single.decode(UInt64.self) {
            self = JSONValue(integer: unsigned)
        } else if let double = try? single.decode(Double.self) {
            self = .double(double)
        } else {
            self = .string(try single.decode(String.self))
        }
    }

    /// Encodes the value with any encoder, keeping the order of object keys.
    ///
    /// A ``bigInteger(_:)`` that fits in `UInt64` is encoded as one; a larger one throws
    /// `EncodingError.invalidValue`, since `Encoder` has no type that holds it exactly
    /// (``JSONValueEncoder`` and ``JSONWriter`` keep it).
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .array(let elements):
            var container = encoder.unkeyedContainer()
            for element in elements { try container.encode(element) }
        case .object(let object):
            var container = encoder.container(keyedBy: JSONCodingKey.self)
            for entry in object { try container.encode(entry.value, forKey: JSONCodingKey(stringValue: entry.key)) }
        default:
            var container = encoder.singleValueContainer()
            switch self {
            case .null: try container.encodeNil()
            case .bool(let bool): try container.encode(bool)
            case .int(let int): try container.encode(int)
            case .bigInteger(let big):
                guard let unsigned = UInt64(big.description) else {
                    throw EncodingError.invalidValue(
                        self,
                        .init(
                            codingPath: encoder.codingPath,
                            debugDescription:
                                "integer \(big) is outside the range of Int64 and UInt64, which is all this encoder can hold exactly"))
                }
                try container.encode(unsigned)
            case .double(let double): try container.encode(double)
            case .string(let string): try container.encode(string)
            case .array, .object: break
            }
        }
    }
}
