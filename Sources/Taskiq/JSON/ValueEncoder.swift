#if canImport(FoundationEssentials)
import FoundationEssentials
#else
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#endif

/// A value under construction by ``ValueEncoder``: containers hand out references to their children,
/// so a nested container can be filled after its parent moved on.
final class EncodingBox {
    enum Kind { case empty, value, array, object }

    /// An entry of an array or object: plain values are stored inline, containers by reference.
    enum Slot {
        case value(JSONValue)
        case box(EncodingBox)

        func resolve() -> JSONValue {
            switch self {
            case .value(let value): value
            case .box(let box): box.resolve()
            }
        }
    }

    private(set) var kind = Kind.empty
    private var value = JSONValue.null
    private(set) var slots: [Slot] = []
    private var keys: [String] = []
    private var keyIndex: [String: Int] = [:]

    func setValue(_ newValue: JSONValue) {
        kind = .value
        value = newValue
        slots = []
        keys = []
        keyIndex = [:]
    }

    /// Takes over another box's contents, for a single-value container that encoded a container.
    func adopt(_ other: EncodingBox) {
        kind = other.kind
        value = other.value
        slots = other.slots
        keys = other.keys
        keyIndex = other.keyIndex
    }

    func becomeObject() {
        guard kind != .object else { return }
        kind = .object
        slots = []
        keys = []
        keyIndex = [:]
    }

    func becomeArray() {
        guard kind != .array else { return }
        kind = .array
        slots = []
        keys = []
        keyIndex = [:]
    }

    func append(_ slot: Slot) {
        slots.append(slot)
    }

    func appendBox() -> EncodingBox {
        let box = EncodingBox()
        slots.append(.box(box))
        return box
    }

    /// Sets a key, keeping the position of an earlier value for the same key.
    func set(_ key: String, _ slot: Slot) {
        if let position = position(of: key) {
            slots[position] = slot
        } else {
            if !keyIndex.isEmpty { keyIndex[key] = keys.count }
            keys.append(key)
            slots.append(slot)
        }
    }

    /// The box stored under a key, reusing an existing one so repeated `nestedContainer` calls agree.
    func box(forKey key: String) -> EncodingBox {
        if let position = position(of: key), case .box(let box) = slots[position] { return box }
        let box = EncodingBox()
        set(key, .box(box))
        return box
    }

    private func position(of key: String) -> Int? {
        if keys.count <= 8 { return keys.firstIndex(of: key) }
        if keyIndex.count != keys.count {
            keyIndex.removeAll(keepingCapacity: true)
            for (position, key) in keys.enumerated() { keyIndex[key] = position }
        }
        return keyIndex[key]
    }

    func resolve() -> JSONValue {
        switch kind {
        case .empty:
            return .object(JSONObject())
        case .value:
            return value
        case .array:
            return .array(slots.map { $0.resolve() })
        case .object:
            var entries: [JSONObject.Element] = []
            entries.reserveCapacity(keys.count)
            for (key, slot) in zip(keys, slots) { entries.append((key: key, value: slot.resolve())) }
            return .object(JSONObject(uncheckedUniqueEntries: entries))
        }
    }
}

/// A coding key for array positions and `super`.
struct JSONCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
    static let superKey = JSONCodingKey(stringValue: "super")
}

/// The `Encoder` behind ``JSONValueEncoder``.
final class ValueEncoder: Encoder {
    let box: EncodingBox
    let codingPath: [any CodingKey]
    let sendableUserInfo: [CodingUserInfoKey: any Sendable]
    var userInfo: [CodingUserInfoKey: Any] { sendableUserInfo }

    init(box: EncodingBox, codingPath: [any CodingKey], userInfo: [CodingUserInfoKey: any Sendable]) {
        self.box = box
        self.codingPath = codingPath
        self.sendableUserInfo = userInfo
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        box.becomeObject()
        return KeyedEncodingContainer(KeyedContainer(box: box, codingPath: codingPath, userInfo: sendableUserInfo))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        box.becomeArray()
        return UnkeyedContainer(box: box, codingPath: codingPath, userInfo: sendableUserInfo)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueContainer(encoder: self)
    }

    /// The JSON form of values that need no container: JSON's own types and Foundation's.
    static func primitive<T: Encodable>(_ value: T) -> JSONValue? {
        if T.self == Int.self { return .int(value as! Int) }
        if T.self == String.self { return .string(value as! String) }
        if T.self == JSONValue.self { return (value as! JSONValue) }
        if T.self == Double.self { return .double(value as! Double) }
        if T.self == Bool.self { return .bool(value as! Bool) }
        if T.self == JSONObject.self { return .object(value as! JSONObject) }
        if T.self == Date.self {
            return .string(ISO8601Timestamp.format(secondsSince1970: (value as! Date).timeIntervalSince1970))
        }
        if T.self == Data.self { return .string((value as! Data).base64EncodedString()) }
        if T.self == URL.self { return .string((value as! URL).absoluteString) }
        return nil
    }

    /// Encodes a nested value, inline if it is a plain value.
    static func slot<T: Encodable>(
        for value: T, codingPath: [any CodingKey], userInfo: [CodingUserInfoKey: any Sendable]
    ) throws -> EncodingBox.Slot {
        if let primitive = primitive(value) { return .value(primitive) }
        let box = EncodingBox()
        try value.encode(to: ValueEncoder(box: box, codingPath: codingPath, userInfo: userInfo))
        if box.kind == .value { return .value(box.resolve()) }
        return .box(box)
    }

    static func json(_ value: some BinaryInteger) -> JSONValue {
        JSONValue(integer: value)
    }

    static func json(_ value: Float) -> JSONValue {
        // Through the shortest decimal, so Float(0.1) becomes 0.1 rather than 0.10000000149011612.
        guard value.isFinite, let double = Double(value.description) else { return .double(Double(value)) }
        return .double(double)
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: EncodingBox
    let codingPath: [any CodingKey]
    let userInfo: [CodingUserInfoKey: any Sendable]

    mutating func encodeNil(forKey key: Key) throws { box.set(key.stringValue, .value(.null)) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { box.set(key.stringValue, .value(.bool(value))) }
    mutating func encode(_ value: String, forKey key: Key) throws { box.set(key.stringValue, .value(.string(value))) }
    mutating func encode(_ value: Double, forKey key: Key) throws { box.set(key.stringValue, .value(.double(value))) }
    mutating func encode(_ value: Float, forKey key: Key) throws { box.set(key.stringValue, .value(ValueEncoder.json(value))) }
    mutating func encode(_ value: Int, forKey key: Key) throws { box.set(key.stringValue, .value(.int(value))) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { box.set(key.stringValue, .value(ValueEncoder.json(value))) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { box.set(key.stringValue, .value(ValueEncoder.json(value))) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { box.set(key.stringValue, .value(ValueEncoder.json(value))) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { box.set(key.stringValue, .value(ValueEncoder.json(value))) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { box.set(key.stringValue, .value(ValueEncoder.json(value))) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { box.set(key.stringValue, .value(ValueEncoder.json(value))) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { box.set(key.stringValue, .value(ValueEncoder.json(value))) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { box.set(key.stringValue, .value(ValueEncoder.json(value))) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { box.set(key.stringValue, .value(ValueEncoder.json(value))) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        box.set(key.stringValue, try ValueEncoder.slot(for: value, codingPath: codingPath + [key], userInfo: userInfo))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let child = box.box(forKey: key.stringValue)
        child.becomeObject()
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(box: child, codingPath: codingPath + [key], userInfo: userInfo))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = box.box(forKey: key.stringValue)
        child.becomeArray()
        return UnkeyedContainer(box: child, codingPath: codingPath + [key], userInfo: userInfo)
    }

    mutating func superEncoder() -> any Encoder {
        ValueEncoder(box: box.box(forKey: "super"), codingPath: codingPath + [JSONCodingKey.superKey], userInfo: userInfo)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        ValueEncoder(box: box.box(forKey: key.stringValue), codingPath: codingPath + [key], userInfo: userInfo)
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let box: EncodingBox
    let codingPath: [any CodingKey]
    let userInfo: [CodingUserInfoKey: any Sendable]

    var count: Int { box.slots.count }

    private var nextPath: [any CodingKey] { codingPath + [JSONCodingKey(intValue: count)] }

    mutating func encodeNil() throws { box.append(.value(.null)) }
    mutating func encode(_ value: Bool) throws { box.append(.value(.bool(value))) }
    mutating func encode(_ value: String) throws { box.append(.value(.string(value))) }
    mutating func encode(_ value: Double) throws { box.append(.value(.double(value))) }
    mutating func encode(_ value: Float) throws { box.append(.value(ValueEncoder.json(value))) }
    mutating func encode(_ value: Int) throws { box.append(.value(.int(value))) }
    mutating func encode(_ value: Int8) throws { box.append(.value(ValueEncoder.json(value))) }
    mutating func encode(_ value: Int16) throws { box.append(.value(ValueEncoder.json(value))) }
    mutating func encode(_ value: Int32) throws { box.append(.value(ValueEncoder.json(value))) }
    mutating func encode(_ value: Int64) throws { box.append(.value(ValueEncoder.json(value))) }
    mutating func encode(_ value: UInt) throws { box.append(.value(ValueEncoder.json(value))) }
    mutating func encode(_ value: UInt8) throws { box.append(.value(ValueEncoder.json(value))) }
    mutating func encode(_ value: UInt16) throws { box.append(.value(ValueEncoder.json(value))) }
    mutating func encode(_ value: UInt32) throws { box.append(.value(ValueEncoder.json(value))) }
    mutating func encode(_ value: UInt64) throws { box.append(.value(ValueEncoder.json(value))) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        box.append(try ValueEncoder.slot(for: value, codingPath: nextPath, userInfo: userInfo))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let path = nextPath
        let child = box.appendBox()
        child.becomeObject()
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(box: child, codingPath: path, userInfo: userInfo))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let path = nextPath
        let child = box.appendBox()
        child.becomeArray()
        return UnkeyedContainer(box: child, codingPath: path, userInfo: userInfo)
    }

    mutating func superEncoder() -> any Encoder {
        let path = nextPath
        return ValueEncoder(box: box.appendBox(), codingPath: path, userInfo: userInfo)
    }
}

private struct SingleValueContainer: SingleValueEncodingContainer {
    let encoder: ValueEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil() throws { encoder.box.setValue(.null) }
    mutating func encode(_ value: Bool) throws { encoder.box.setValue(.bool(value)) }
    mutating func encode(_ value: String) throws { encoder.box.setValue(.string(value)) }
    mutating func encode(_ value: Double) throws { encoder.box.setValue(.double(value)) }
    mutating func encode(_ value: Float) throws { encoder.box.setValue(ValueEncoder.json(value)) }
    mutating func encode(_ value: Int) throws { encoder.box.setValue(.int(value)) }
    mutating func encode(_ value: Int8) throws { encoder.box.setValue(ValueEncoder.json(value)) }
    mutating func encode(_ value: Int16) throws { encoder.box.setValue(ValueEncoder.json(value)) }
    mutating func encode(_ value: Int32) throws { encoder.box.setValue(ValueEncoder.json(value)) }
    mutating func encode(_ value: Int64) throws { encoder.box.setValue(ValueEncoder.json(value)) }
    mutating func encode(_ value: UInt) throws { encoder.box.setValue(ValueEncoder.json(value)) }
    mutating func encode(_ value: UInt8) throws { encoder.box.setValue(ValueEncoder.json(value)) }
    mutating func encode(_ value: UInt16) throws { encoder.box.setValue(ValueEncoder.json(value)) }
    mutating func encode(_ value: UInt32) throws { encoder.box.setValue(ValueEncoder.json(value)) }
    mutating func encode(_ value: UInt64) throws { encoder.box.setValue(ValueEncoder.json(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        switch try ValueEncoder.slot(for: value, codingPath: codingPath, userInfo: encoder.sendableUserInfo) {
        case .value(let json): encoder.box.setValue(json)
        case .box(let box): encoder.box.adopt(box)
        }
    }
}
