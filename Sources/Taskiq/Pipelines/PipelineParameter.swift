/// How a step receives the previous step's result: taskiq-pipelines' `param_name`.
///
/// On the wire it is `null` (``first``), `-1` (``ignored``, `call_after`) or a parameter name
/// (``keyword(_:)``).
public enum PipelineParameter: Sendable, Hashable {
    /// The result is the first positional argument (`param_name: null`).
    case first
    /// The result is not passed (`param_name: -1`, taskiq-pipelines' `EMPTY_PARAM_NAME`).
    case ignored
    /// The result is passed as this keyword argument.
    case keyword(String)

    /// The `param_name` JSON value.
    var wireValue: JSONValue {
        switch self {
        case .first: .null
        case .ignored: .int(-1)
        case .keyword(let name): .string(name)
        }
    }

    /// Reads a `param_name` value as taskiq-pipelines acts on it: `-1` ignores the result, another
    /// integer passes it first; a value of another type is refused.
    init?(wireValue: JSONValue?) {
        switch wireValue {
        case nil, .null?: self = .first
        case .string(let name)?: self = .keyword(name)
        case let value? where value.intValue == -1: self = .ignored
        case .int?, .bigInteger?: self = .first
        default: return nil
        }
    }
}
