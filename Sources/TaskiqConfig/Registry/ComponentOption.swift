import Taskiq

/// One setting a component type accepts: its name, JSON type, default, range and description.
///
/// The same declaration drives validation of the config file and the generated JSON Schema:
/// ```swift
/// .integer("default_retry_count", default: 3, range: 1...1000, description: "Total attempts.")
/// ```
/// Numbers and booleans may be written as strings that parse (`"${WORKERS:-2}"` becomes `2`),
/// so that environment interpolation can supply them.
public struct ComponentOption: OptionDeclaration, Hashable {
    /// The JSON type of an option's value.
    public enum ValueType: Sendable, Hashable {
        /// An integer (`Int`).
        case integer
        /// Any number (`Double`).
        case number
        /// `true` or `false`.
        case boolean
        /// Any string.
        case string
        /// One of a fixed set of strings, matched ignoring case.
        case choice([String])
        /// A network address in a format, checked by its parser when the config is loaded.
        case address(AddressFormat)
        /// A list of objects, each taking these keys (checked, defaults filled in), such as a
        /// broker's queues: `[{"name": "high", "max_priority": 10}]`.
        case objects([ComponentOption])
        /// A list of strings, such as error type names: `["TimeoutError", "HTTPError:503"]`
        /// (one string of comma-separated items is accepted too, for `${VAR}` interpolation).
        case strings
    }

    /// The key in the component's object, such as `max_stored_results`.
    public var name: String
    /// The JSON type.
    public var type: ValueType
    /// The value used when the key is absent; `null` for an optional option without a value.
    public var defaultValue: JSONValue
    /// The smallest and largest allowed number, for integers and numbers.
    public var range: ClosedRange<Double>?
    /// Whether the key must be present.
    public var isRequired: Bool
    /// One sentence for the schema and for listings.
    public var description: String

    /// Creates an option; prefer the static constructors such as ``integer(_:default:range:required:description:)``.
    public init(
        name: String, type: ValueType, defaultValue: JSONValue, range: ClosedRange<Double>? = nil,
        isRequired: Bool = false, description: String
    ) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.range = range
        self.isRequired = isRequired
        self.description = description
    }

    /// The option itself, so that untyped and typed (``Option``) declarations share a list.
    public var declaration: ComponentOption { self }

    /// The type as error messages name it: `an integer in 0...1000`, `one of 'text', 'json'`.
    var expectation: String {
        var text: String
        switch type {
        case .integer: text = "an integer"
        case .number: text = "a number"
        case .boolean: return "a boolean (true or false)"
        case .string: text = "a string"
        case .address(let format): text = "an address \(format.example)"
        case .choice(let values): return "one of " + values.map { "'\($0)'" }.joined(separator: ", ")
        case .objects(let fields): text = "a list of objects with keys " + fields.map(\.name).joined(separator: ", ")
        case .strings: text = "a list of strings"
        }
        if let range {
            let show: (Double) -> String = { type == .integer || $0 == $0.rounded() ? String(Int($0)) : String($0) }
            if range.upperBound >= Double(Int.max / 2) {
                text += " >= \(show(range.lowerBound))"
            } else {
                text += " in \(show(range.lowerBound))...\(show(range.upperBound))"
            }
        }
        if defaultValue.isNull && !isRequired { text += " or null" }
        return text
    }
}

/// The untyped constructors, for lists of ``OptionDeclaration``s (`options: [.integer("step", ...)]`)
/// as well as for `ComponentOption` itself. A factory that reads its options should prefer the
/// typed ``Option`` keys, which name each option once.
extension OptionDeclaration where Self == ComponentOption {
    /// An integer option.
    /// - Parameters:
    ///   - name: The key, such as `max_stored_results`.
    ///   - default: The value when absent; `nil` makes the option optional without a value (`null`).
    ///   - range: The allowed values.
    ///   - required: Whether the key must be present.
    ///   - description: One sentence for the schema.
    public static func integer(
        _ name: String, default: Int?, range: ClosedRange<Int>? = nil,
        required: Bool = false, description: String
    ) -> ComponentOption {
        ComponentOption(
            name: name, type: .integer, defaultValue: `default`.map(JSONValue.int) ?? .null,
            range: range.map { Double($0.lowerBound)...Double($0.upperBound) },
            isRequired: required, description: description)
    }

    /// A number option.
    /// - Parameters:
    ///   - name: The key.
    ///   - default: The value when absent; `nil` makes the option optional without a value (`null`).
    ///   - range: The allowed values.
    ///   - required: Whether the key must be present.
    ///   - description: One sentence for the schema.
    public static func number(
        _ name: String, default: Double?, range: ClosedRange<Double>? = nil,
        required: Bool = false, description: String
    ) -> ComponentOption {
        ComponentOption(
            name: name, type: .number, defaultValue: `default`.map(JSONValue.double) ?? .null,
            range: range, isRequired: required, description: description)
    }

    /// A boolean option.
    /// - Parameters:
    ///   - name: The key.
    ///   - default: The value when absent.
    ///   - description: One sentence for the schema.
    public static func boolean(_ name: String, default: Bool, description: String) -> ComponentOption {
        ComponentOption(name: name, type: .boolean, defaultValue: .bool(`default`), description: description)
    }

    /// A string option.
    /// - Parameters:
    ///   - name: The key.
    ///   - default: The value when absent; `nil` makes the option optional without a value (`null`).
    ///   - required: Whether the key must be present.
    ///   - description: One sentence for the schema.
    public static func string(
        _ name: String, default: String?, required: Bool = false,
        description: String
    ) -> ComponentOption {
        ComponentOption(
            name: name, type: .string, defaultValue: `default`.map(JSONValue.string) ?? .null,
            isRequired: required, description: description)
    }

    /// An option that takes a list of objects, each with the given keys.
    /// - Parameters:
    ///   - name: The key, such as `queues`.
    ///   - fields: The keys each object takes, with their types and defaults.
    ///   - default: The list when the key is absent (each object with its defaults filled in).
    ///   - description: One sentence for the schema.
    public static func objects(
        _ name: String, fields: [ComponentOption], default: [JSONObject],
        description: String
    ) -> ComponentOption {
        ComponentOption(
            name: name, type: .objects(fields), defaultValue: .array(`default`.map(JSONValue.object)),
            description: description)
    }

    /// An option that takes one of a fixed set of strings.
    /// - Parameters:
    ///   - name: The key.
    ///   - values: The allowed strings, in lower case.
    ///   - default: The value when absent.
    ///   - description: One sentence for the schema.
    public static func choice(
        _ name: String, _ values: [String], default: String,
        description: String
    ) -> ComponentOption {
        ComponentOption(name: name, type: .choice(values), defaultValue: .string(`default`), description: description)
    }

    /// A network address option, such as a Redis URL or a ZeroMQ endpoint, parsed and checked
    /// (scheme, host, port range, trailing text) when the config is loaded.
    /// - Parameters:
    ///   - name: The key, such as `url`.
    ///   - format: The kind of address, such as ``AddressFormat/redisURL``.
    ///   - default: The value when absent; `nil` makes the option optional without a value (`null`).
    ///   - required: Whether the key must be present.
    ///   - description: One sentence for the schema.
    public static func address(
        _ name: String, _ format: AddressFormat, default: String?, required: Bool = false,
        description: String
    ) -> ComponentOption {
        ComponentOption(
            name: name, type: .address(format), defaultValue: `default`.map(JSONValue.string) ?? .null,
            isRequired: required, description: description)
    }
}
