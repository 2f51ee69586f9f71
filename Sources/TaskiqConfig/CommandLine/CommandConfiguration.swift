/// What a subcommand is called and what its help says besides its options and arguments.
public struct CommandConfiguration: Sendable, Hashable {
    /// The name typed after the program, such as `worker`.
    public var name: String
    /// One line for the list of commands and the top of the command's help.
    public var abstract: String
    /// Paragraphs shown in the command's help after the abstract, separated by blank lines.
    public var discussion: String

    /// Creates a configuration.
    /// - Parameters:
    ///   - name: The name typed after the program, such as `worker`.
    ///   - abstract: One line for help.
    ///   - discussion: Paragraphs for the command's help, separated by blank lines.
    public init(_ name: String, abstract: String, discussion: String = "") {
        self.name = name
        self.abstract = abstract
        self.discussion = discussion
    }
}
