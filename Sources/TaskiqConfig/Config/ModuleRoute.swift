/// One entry of `tasks.routes`: loaded modules whose names match a glob go to a named broker.
///
/// ```json
/// "tasks": {"modules": ["examples", "billing.invoices"], "routes": {"billing.*": "fast"}}
/// ```
/// Patterns are `ModulePattern` globs over module names (`*` within a dotted segment, `**`
/// across). Routes are tried in the order written and the first match wins, so a narrower route
/// written first can send one module back to the main broker with `"billing.reports": "default"`.
public struct ModuleRoute: Sendable, Hashable {
    /// The glob over module names, such as `billing.*`.
    public let pattern: String
    /// The broker's name: a key of `brokers`, or `default` for the main broker.
    public let broker: String
    /// The JSON path of the route, such as `tasks.routes["billing.*"]`.
    public let path: String

    /// Whether the route applies to a module.
    public func matches(module name: String) -> Bool {
        ModulePattern(pattern).matches(name)
    }
}
