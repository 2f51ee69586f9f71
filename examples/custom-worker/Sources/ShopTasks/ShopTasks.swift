import Taskiq

/// The `shop` task module: what a user's own package declares, one task of each shape.
///
/// Each kind of closure the task API accepts appears once: two parameters (async), a
/// synchronous task, a `Void` task taking a `Codable` struct, three parameters, and a task that
/// throws. `scripts/custom-worker.sh` kicks every one of them through a release build.
public enum ShopTasks {
    /// `shop.total(price: Int, quantity: Int) -> Int`: the price of `quantity` items; a total
    /// outside `Int` is an error result, never a trap.
    public static let total = TaskDefinition("shop.total", parameters: ["price", "quantity"]) {
        (price: Int, quantity: Int) async throws -> Int in
        let (total, overflow) = price.multipliedReportingOverflow(by: quantity)
        guard !overflow else { throw ShopError(.outOfRange, "shop.total: \(price) x \(quantity) overflows Int") }
        return total
    }

    /// `shop.line(item: String, quantity: Int) -> String`: one receipt line such as `3 x apple`;
    /// synchronous, so it runs on the worker's thread pool.
    public static let line = TaskDefinition("shop.line", parameters: ["item", "quantity"]) {
        (item: String, quantity: Int) throws -> String in
        "\(quantity) x \(item)"
    }

    /// `shop.record(order: Order)`: logs the order through the task's logger; an order without
    /// items is an error result.
    public static let record = TaskDefinition("shop.record", parameters: ["order"]) {
        (order: Order) async throws -> Void in
        guard !order.items.isEmpty else { throw ShopError(.refused, "shop.record: order \(order.id) has no items") }
        TaskContext.current?.logger.info("recorded order \(order.id) with \(order.items.count) item(s)")
    }

    /// `shop.quote(price: Double, quantity: Int, express: Bool) -> Double`: the price of
    /// `quantity` items plus 4.5 for express delivery.
    public static let quote = TaskDefinition("shop.quote", parameters: ["price", "quantity", "express"]) {
        (price: Double, quantity: Int, express: Bool) async throws -> Double in
        price * Double(quantity) + (express ? 4.5 : 0)
    }

    /// `shop.refund(order_id: Int) -> Int`: always throws, so the failure path of a user's task
    /// (error result, exit status 1 of `kick --wait`) is exercised.
    public static let refund = TaskDefinition("shop.refund", parameters: ["order_id"]) {
        (orderID: Int) async throws -> Int in
        throw ShopError(.refused, "order \(orderID) cannot be refunded: the refund desk is closed")
    }

    /// `shop.tag() -> String`: the `tag` label of its own message, as ``TaggingMiddleware`` set
    /// it (`untagged` without one), so the middleware's effect shows in a result.
    public static let tag = TaskDefinition("shop.tag") { () async throws -> String in
        TaskContext.current?.labels["tag"]?.stringValue ?? "untagged"
    }

    /// The module: every task above, under the name `shop`.
    public static let module = TaskModule("shop", tasks: [total, line, record, quote, refund, tag])
}
