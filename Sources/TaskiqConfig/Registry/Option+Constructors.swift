import Taskiq

extension Option where Value == Int {
    /// An integer option with a default.
    /// - Parameters:
    ///   - name: The key, such as `max_stored_results`.
    ///   - default: The value when the key is absent.
    ///   - range: The allowed values.
    ///   - description: One sentence for the schema.
    public static func integer(
        _ name: String, default: Int, range: ClosedRange<Int>? = nil,
        description: String
    ) -> Option<Int> {
        Option(
            .integer(name, default: `default`, range: range, description: description),
            encode: JSONValue.int
        ) { $0.intValue }
    }
}

extension Option where Value == Int? {
    /// An integer option that may be `null` (and is when absent).
    /// - Parameters:
    ///   - name: The key, such as `maxlen`.
    ///   - range: The allowed values when set.
    ///   - description: One sentence for the schema.
    public static func integer(_ name: String, range: ClosedRange<Int>? = nil, description: String) -> Option<Int?> {
        Option(.integer(name, default: nil, range: range, description: description), encode: { $0.map(JSONValue.int) ?? .null }) { value in
            value.isNull ? .some(nil) : value.intValue.map { .some($0) }
        }
    }
}

extension Option {
    /// An option that takes a list of objects, each read into an `Element` through typed keys.
    ///
    /// ```swift
    /// let name = Option<String>.requiredString("name", description: "The queue.")
    /// let queues = Option<[Queue]>.objects("queues", fields: [name], default: [Queue(name: "taskiq")],
    ///                                      encode: { ["name": .string($0.name)] }) { Queue(name: try $0[name]) }
    /// ```
    /// - Parameters:
    ///   - name: The key, such as `queues`.
    ///   - fields: The keys each object takes.
    ///   - default: The list when the key is absent.
    ///   - encode: Writes an element as the file would (for the schema's default and `check`'s output).
    ///   - description: One sentence for the schema.
    ///   - decode: Reads one validated object (defaults filled in) through the field keys.
    public static func objects<Element: Sendable>(
        _ name: String, fields: [any OptionDeclaration], default: [Element],
        encode: @escaping @Sendable (Element) -> JSONObject, description: String,
        decode: @escaping @Sendable (ComponentOptions) throws -> Element
    ) -> Option<[Element]> where Value == [Element] {
        Option(
            .objects(name, fields: fields.map(\.declaration), default: `default`.map(encode), description: description),
            encode: { .array($0.map { .object(encode($0)) }) }
        ) { value in
            guard case .array(let items) = value else { return nil }
            var elements: [Element] = []
            for item in items {
                guard case .object(let members) = item,
                    let element = try? decode(ComponentOptions(type: name, values: members))
                else { return nil }
                elements.append(element)
            }
            return elements
        }
    }
}

extension Option where Value == Double {
    /// A number option with a default.
    /// - Parameters:
    ///   - name: The key.
    ///   - default: The value when the key is absent.
    ///   - range: The allowed values.
    ///   - description: One sentence for the schema.
    public static func number(
        _ name: String, default: Double, range: ClosedRange<Double>? = nil,
        description: String
    ) -> Option<Double> {
        Option(
            .number(name, default: `default`, range: range, description: description),
            encode: JSONValue.double
        ) { $0.doubleValue }
    }
}

extension Option where Value == Duration {
    /// A duration written in the file as a number of seconds (`2.5`), read as a `Duration` rounded
    /// to the millisecond.
    /// - Parameters:
    ///   - name: The key, such as `subscriber_timeout`.
    ///   - default: The value when the key is absent.
    ///   - range: The allowed seconds; keep it finite so the milliseconds fit an `Int`.
    ///   - description: One sentence for the schema.
    public static func seconds(
        _ name: String, default: Duration, range: ClosedRange<Double>,
        description: String
    ) -> Option<Duration> {
        Option(
            .number(name, default: `default`.inSeconds, range: range, description: description),
            encode: { .double($0.inSeconds) }
        ) { value in
            value.doubleValue.map(Duration.roundedMilliseconds(seconds:))
        }
    }

    /// A duration written in the file as an integer number of milliseconds (`2000`).
    /// - Parameters:
    ///   - name: The key, such as `xread_block`.
    ///   - default: The value when the key is absent, a whole number of milliseconds.
    ///   - range: The allowed milliseconds.
    ///   - description: One sentence for the schema.
    public static func milliseconds(
        _ name: String, default: Duration, range: ClosedRange<Int>,
        description: String
    ) -> Option<Duration> {
        Option(
            .integer(name, default: `default`.wholeMilliseconds, range: range, description: description),
            encode: { .int($0.wholeMilliseconds) }
        ) { value in
            value.intValue.map { .milliseconds($0) }
        }
    }
}

extension Option where Value == Duration? {
    /// A duration in seconds that may be `null` (and is when absent).
    /// - Parameters:
    ///   - name: The key, such as `wait_tasks_timeout`.
    ///   - range: The allowed seconds when set.
    ///   - description: One sentence for the schema.
    public static func seconds(_ name: String, range: ClosedRange<Double>, description: String) -> Option<Duration?> {
        Option(.number(name, default: nil, range: range, description: description), encode: { $0.map { .double($0.inSeconds) } ?? .null }) {
            value in
            value.isNull ? .some(nil) : value.doubleValue.map { .some(Duration.roundedMilliseconds(seconds: $0)) }
        }
    }
}

extension Option where Value == Bool {
    /// A boolean option.
    /// - Parameters:
    ///   - name: The key.
    ///   - default: The value when the key is absent.
    ///   - description: One sentence for the schema.
    public static func boolean(_ name: String, default: Bool, description: String) -> Option<Bool> {
        Option(.boolean(name, default: `default`, description: description), encode: JSONValue.bool) { $0.boolValue }
    }
}

extension Option where Value == String {
    /// A string option with a default.
    /// - Parameters:
    ///   - name: The key.
    ///   - default: The value when the key is absent.
    ///   - description: One sentence for the schema.
    public static func string(_ name: String, default: String, description: String) -> Option<String> {
        Option(.string(name, default: `default`, description: description), encode: JSONValue.string) { $0.stringValue }
    }

    /// A string option that must be present.
    /// - Parameters:
    ///   - name: The key, such as `path`.
    ///   - description: One sentence for the schema.
    public static func requiredString(_ name: String, description: String) -> Option<String> {
        Option(.string(name, default: nil, required: true, description: description), encode: JSONValue.string) { $0.stringValue }
    }

    /// A network address option, parsed and checked (scheme, host, port range, trailing text)
    /// when the config is loaded.
    /// - Parameters:
    ///   - name: The key, such as `url`.
    ///   - format: The kind of address, such as ``AddressFormat/redisURL``.
    ///   - default: The value when the key is absent.
    ///   - description: One sentence for the schema.
    public static func address(
        _ name: String, _ format: AddressFormat, default: String,
        description: String
    ) -> Option<String> {
        Option(
            .address(name, format, default: `default`, description: description),
            encode: JSONValue.string
        ) { $0.stringValue }
    }
}

extension Option where Value == String? {
    /// A string option that may be `null` (and is when absent).
    /// - Parameters:
    ///   - name: The key, such as `consumer_name`.
    ///   - description: One sentence for the schema.
    public static func string(_ name: String, description: String) -> Option<String?> {
        Option(.string(name, default: nil, description: description), encode: { $0.map(JSONValue.string) ?? .null }) { value in
            value.isNull ? .some(nil) : value.stringValue.map { .some($0) }
        }
    }
}

extension Option where Value: RawRepresentable & CaseIterable, Value.RawValue == String {
    /// An option that takes one of an enumeration's raw values, matched ignoring case.
    /// - Parameters:
    ///   - name: The key, such as `ack_type`.
    ///   - default: The case when the key is absent.
    ///   - description: One sentence for the schema.
    public static func choice(_ name: String, default: Value, description: String) -> Option<Value> {
        choice(name, Array(Value.allCases), spelling: { $0.rawValue }, default: `default`, description: description)
    }
}

extension Option where Value: Sendable {
    /// An option that takes one of a fixed set of values, each written in the file as its spelling,
    /// matched ignoring case.
    /// - Parameters:
    ///   - name: The key, such as `catch_up`.
    ///   - cases: The allowed values, in the order the schema lists them.
    ///   - spelling: A value's spelling in the file, in lower case.
    ///   - default: The value when the key is absent.
    ///   - description: One sentence for the schema.
    public static func choice(
        _ name: String, _ cases: [Value], spelling: @escaping @Sendable (Value) -> String,
        default: Value, description: String
    ) -> Option<Value> {
        let spelled = cases.map { (spelling($0), $0) }
        return Option(
            .choice(name, spelled.map(\.0), default: spelling(`default`), description: description),
            encode: { .string(spelling($0)) }
        ) { value in
            value.stringValue.flatMap { text in spelled.first { $0.0 == text }?.1 }
        }
    }
}

extension Duration {
    /// Seconds from the file as a duration rounded to the millisecond. A user's option may declare
    /// any range, so the value is clamped to ±``Duration/maximumCheckedSeconds`` (NaN reads as 0)
    /// rather than trusted to fit an `Int`.
    static func roundedMilliseconds(seconds: Double) -> Duration {
        let bound = Duration.maximumCheckedSeconds
        let clamped = seconds.isNaN ? 0 : Swift.min(Swift.max(seconds, -bound), bound)
        return .milliseconds(Int64((clamped * 1000).rounded()))
    }
}

extension Option where Value == [String]? {
    /// A list-of-strings option that may be `null` (and is when absent), such as `retry_on`.
    /// - Parameters:
    ///   - name: The key.
    ///   - description: One sentence for the schema.
    public static func strings(_ name: String, description: String) -> Option<[String]?> {
        Option(
            ComponentOption(name: name, type: .strings, defaultValue: .null, description: description),
            encode: { $0.map { .array($0.map(JSONValue.string)) } ?? .null }
        ) { value in
            if value.isNull { return .some(nil) }
            guard case .array(let items) = value else { return nil }
            return .some(items.compactMap(\.stringValue))
        }
    }
}
