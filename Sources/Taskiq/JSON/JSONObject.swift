/// A JSON object that keeps its keys in insertion order.
///
/// Lookups by key are linear, which is faster than hashing for the small objects
/// that tasks exchange. Setting an existing key keeps its position; setting a new key appends it.
/// Equality ignores key order, as JSON's does.
public struct JSONObject: Sendable, Hashable, RandomAccessCollection, ExpressibleByDictionaryLiteral {
    /// One key and its value.
    public typealias Element = (key: String, value: JSONValue)

    @usableFromInline var entries: [Element]

    /// Creates an empty object.
    public init() { entries = [] }

    /// Creates an object from key–value pairs in order; a repeated key keeps its first position and last value.
    public init<S: Sequence>(_ pairs: S) where S.Element == (String, JSONValue) {
        entries = []
        entries.reserveCapacity(pairs.underestimatedCount)
        for (key, value) in pairs { self[key] = value }
    }

    /// Creates an object from a dictionary, with keys sorted so the order is deterministic.
    public init(_ dictionary: [String: JSONValue]) {
        entries = dictionary.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }
    }

    /// Creates an object from entries the caller has already made unique, skipping the per-key search.
    @usableFromInline init(uncheckedUniqueEntries entries: [Element]) { self.entries = entries }

    /// Creates an object from a literal, keeping its order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self.init(elements) }

    /// The position of the first entry.
    public var startIndex: Int { 0 }
    /// The position past the last entry.
    public var endIndex: Int { entries.count }
    /// The entry at a position.
    public subscript(position: Int) -> Element { entries[position] }

    /// The keys in order.
    public var keys: [String] { entries.map(\.key) }

    /// The value for a key; setting `nil` removes the key.
    public subscript(key: String) -> JSONValue? {
        get {
            for entry in entries where entry.key == key { return entry.value }
            return nil
        }
        set {
            if let i = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[i].value = newValue } else { entries.remove(at: i) }
            } else if let newValue {
                entries.append((key: key, value: newValue))
            }
        }
    }

    /// A dictionary of the same entries (order is lost).
    public var dictionary: [String: JSONValue] {
        Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.entries.count == rhs.entries.count else { return false }
        for entry in lhs.entries where rhs[entry.key] != entry.value { return false }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        // Order-insensitive: combine per-entry hashes commutatively.
        var combined = 0
        for entry in entries {
            var h = Hasher()
            h.combine(entry.key)
            h.combine(entry.value)
            combined ^= h.finalize()
        }
        hasher.combine(entries.count)
        hasher.combine(combined)
    }
}
