/// A method that carries content, with its assembled header and body: a delivery or a return.
package struct AMQPContent: Sendable, Equatable {
    /// Basic.Deliver or Basic.Return (or Basic.Publish when a server echoes one in tests).
    package var method: AMQPMethod
    /// The content header's properties.
    package var properties: AMQPProperties
    /// The whole body, joined from its body frames.
    package var body: [UInt8]

    /// Creates content.
    package init(method: AMQPMethod, properties: AMQPProperties, body: [UInt8]) {
        self.method = method
        self.properties = properties
        self.body = body
    }
}
