/// Anything that declares one component option: an untyped ``ComponentOption`` or a typed ``Option``.
///
/// Registration takes a list of them, so a component can declare its options as typed keys and
/// read the same keys in its factory:
/// ```swift
/// static let channel = Option<String>.string("channel", default: "tasks", description: "Where audit lines go.")
/// registry.register(middleware: "audit", options: [channel]) { options in
///     AuditMiddleware(channel: try options[channel])
/// }
/// ```
public protocol OptionDeclaration: Sendable {
    /// The name, JSON type, default, range and description that validation and the schema use.
    var declaration: ComponentOption { get }
}
