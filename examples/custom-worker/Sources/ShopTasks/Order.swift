/// An order as producers send it: `{"id": 7, "items": ["apple", "pear"]}`.
public struct Order: Codable, Sendable, Hashable {
    /// The order number.
    public var id: Int
    /// The names of the items bought.
    public var items: [String]

    /// Creates an order.
    /// - Parameters:
    ///   - id: The order number.
    ///   - items: The names of the items bought.
    public init(id: Int, items: [String]) {
        self.id = id
        self.items = items
    }
}
