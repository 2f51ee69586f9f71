/// A middleware that needs the broker it is added to, for example to register the tasks it sends.
///
/// ``AsyncBroker/addMiddlewares(_:)`` calls ``attach(to:)`` once for each such middleware.
package protocol BrokerAttachedMiddleware: TaskiqMiddleware {
    /// Called when the middleware is added to `broker`.
    func attach(to broker: any AsyncBroker)
}
