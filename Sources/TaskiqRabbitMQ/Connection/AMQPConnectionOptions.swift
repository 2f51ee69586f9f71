/// What a client asks for when it opens an AMQP connection.
package struct AMQPConnectionOptions: Sendable {
    /// The user for PLAIN authentication.
    package var user: String
    /// The password for PLAIN authentication.
    package var password: String
    /// The virtual host to open.
    package var virtualHost: String
    /// The limits this client proposes; each is lowered to the server's when the server's is smaller.
    package var tuning: AMQPTuning
    /// The largest message body accepted from the server; a larger announced size is a protocol error.
    package var maxBodySize: UInt64
    /// `product`, `version` and anything else to send in Connection.StartOk (capabilities are added).
    package var clientProperties: AMQPFieldTable

    /// Options with RabbitMQ's defaults: guest/guest on `/`, frame_max 128 KiB, heartbeat 60 s.
    package init(
        user: String = "guest", password: String = "guest", virtualHost: String = "/",
        tuning: AMQPTuning = AMQPTuning(channelMax: 2047, frameMax: 131_072, heartbeat: 60),
        maxBodySize: UInt64 = 128 << 20,
        clientProperties: AMQPFieldTable = ["product": .string("taskiq-swift")]
    ) {
        self.user = user
        self.password = password
        self.virtualHost = virtualHost
        self.tuning = tuning
        self.maxBodySize = maxBodySize
        self.clientProperties = clientProperties
    }
}
