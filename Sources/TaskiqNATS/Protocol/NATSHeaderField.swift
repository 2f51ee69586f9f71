/// One `Name: Value` line of a NATS header block.
///
/// Names keep the case they were sent with; NATS, unlike HTTP, does not canonicalise them.
package struct NATSHeaderField: Sendable, Hashable {
    /// The field name, such as `Nats-Pending-Messages` or a taskiq label such as `priority`.
    package var name: String
    /// The field value, without the blanks around it.
    package var value: String

    /// Creates a field.
    ///
    /// - Parameters:
    ///   - name: The field name; ``NATSHeaders/validate()`` refuses an empty one and one with
    ///     whitespace, control characters or `:`.
    ///   - value: The field value; ``NATSHeaders/validate()`` refuses CR and LF.
    package init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
