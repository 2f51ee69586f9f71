/// A set of typed command-line options, such as a subcommand or a group of options several
/// subcommands share: the swift-argument-parser shape, written by hand.
///
/// Each stored property that the command line sets is declared once, in ``options``: its name,
/// short name, value name and help, bound to the property by key path. The property's initial
/// value is the default, shown in help. The same declarations drive parsing, `--help` and the
/// errors for values of the wrong type.
///
/// ```swift
/// struct LoggingOptions: ParsableArguments {
///     var verbose = false
///     static let options: [CommandOption<Self>] = [.flag("verbose", short: "v", help: "Log at debug level.", \.verbose)]
/// }
/// ```
public protocol ParsableArguments: Sendable {
    /// The options, in the order help lists them.
    static var options: [CommandOption<Self>] { get }
    /// Creates the values with every option at its default.
    init()
}
