/// A component's options, written as stored properties holding typed keys: the declaration order
/// is the order validation reports them and the schema lists them.
///
/// ```swift
/// struct AuditOptions: OptionGroup {
///     let channel = Option<String>.string("channel", default: "tasks", description: "Where audit lines go.")
///     let verbose = Option<Bool>.boolean("verbose", default: false, description: "Log arguments too.")
/// }
/// let keys = AuditOptions()
/// registry.register(middleware: "audit", options: keys.declarations) { options in
///     AuditMiddleware(channel: try options[keys.channel], verbose: try options[keys.verbose])
/// }
/// ```
/// Adding an option is one property and its use in the factory: ``declarations`` finds the
/// properties by reflection (as swift-argument-parser finds `@Option`s), so there is no second list
/// to keep in step. A property that is itself an `OptionGroup` contributes its options in place,
/// which is how components share a set (every Redis component's `url`).
public protocol OptionGroup: Sendable {}

extension OptionGroup {
    /// Every option the group declares, in declaration order, nested groups in place.
    public var declarations: [any OptionDeclaration] {
        Mirror(reflecting: self).children.flatMap { child -> [any OptionDeclaration] in
            if let option = child.value as? any OptionDeclaration { return [option] }
            if let group = child.value as? any OptionGroup { return group.declarations }
            return []
        }
    }
}
