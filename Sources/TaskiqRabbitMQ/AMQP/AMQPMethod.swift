/// The AMQP 0-9-1 methods a taskiq client and broker use, with their arguments.
///
/// Reserved arguments (tickets, `insist`) are not kept, except the two reserved strings seen
/// on the wire with values (Channel.Open's, which aio-pika sends as `"0"`, and Channel.OpenOk's).
/// Encoding is in `AMQPMethod+Encoding.swift`, decoding in `AMQPMethod+Decoding.swift`.
package enum AMQPMethod: Sendable, Equatable {
    /// 10,10 (server): protocol version, server properties, SASL mechanisms and locales.
    case connectionStart(versionMajor: UInt8, versionMinor: UInt8, serverProperties: AMQPFieldTable, mechanisms: [UInt8], locales: [UInt8])
    /// 10,11: client properties, the chosen mechanism, the SASL response, the locale.
    case connectionStartOk(clientProperties: AMQPFieldTable, mechanism: String, response: [UInt8], locale: String)
    /// 10,30 (server): the server's limits.
    case connectionTune(channelMax: UInt16, frameMax: UInt32, heartbeat: UInt16)
    /// 10,31: the negotiated limits.
    case connectionTuneOk(channelMax: UInt16, frameMax: UInt32, heartbeat: UInt16)
    /// 10,40: open a virtual host.
    case connectionOpen(virtualHost: String)
    /// 10,41 (server): the virtual host is open.
    case connectionOpenOk
    /// 10,50: close the connection, with the reason.
    case connectionClose(AMQPCloseReason)
    /// 10,51: the close is acknowledged.
    case connectionCloseOk
    /// 10,60 (server): the server stopped reading publishes (a resource alarm).
    case connectionBlocked(reason: String)
    /// 10,61 (server): the alarm cleared.
    case connectionUnblocked
    /// 20,10: open a channel; `reserved` is sent as is (aio-pika sends `"0"`).
    case channelOpen(reserved: String)
    /// 20,11: the channel is open.
    case channelOpenOk(reserved: [UInt8])
    /// 20,40: close a channel, with the reason.
    case channelClose(AMQPCloseReason)
    /// 20,41: the channel close is acknowledged.
    case channelCloseOk
    /// 40,10: declare an exchange.
    case exchangeDeclare(
        exchange: String, type: String, passive: Bool, durable: Bool, autoDelete: Bool,
        internal: Bool, noWait: Bool, arguments: AMQPFieldTable)
    /// 40,11: the exchange exists.
    case exchangeDeclareOk
    /// 50,10: declare a queue.
    case queueDeclare(
        queue: String, passive: Bool, durable: Bool, exclusive: Bool, autoDelete: Bool,
        noWait: Bool, arguments: AMQPFieldTable)
    /// 50,11: the queue exists, with its message and consumer counts.
    case queueDeclareOk(queue: String, messageCount: UInt32, consumerCount: UInt32)
    /// 50,20: bind a queue to an exchange.
    case queueBind(queue: String, exchange: String, routingKey: String, noWait: Bool, arguments: AMQPFieldTable)
    /// 50,21: the binding exists.
    case queueBindOk
    /// 60,10: limit unacknowledged deliveries.
    case basicQos(prefetchSize: UInt32, prefetchCount: UInt16, global: Bool)
    /// 60,11: the limit is set.
    case basicQosOk
    /// 60,20: start a consumer.
    case basicConsume(
        queue: String, consumerTag: String, noLocal: Bool, noAck: Bool, exclusive: Bool,
        noWait: Bool, arguments: AMQPFieldTable)
    /// 60,21: the consumer started, with its tag.
    case basicConsumeOk(consumerTag: String)
    /// 60,30: stop a consumer (also sent by the server when its queue goes away).
    case basicCancel(consumerTag: String, noWait: Bool)
    /// 60,31: the consumer stopped.
    case basicCancelOk(consumerTag: String)
    /// 60,40: publish; a content header and body frames follow.
    case basicPublish(exchange: String, routingKey: String, mandatory: Bool, immediate: Bool)
    /// 60,50 (server): a mandatory message could not be routed; content follows.
    case basicReturn(replyCode: UInt16, replyText: String, exchange: String, routingKey: String)
    /// 60,60 (server): a delivery to a consumer; content follows.
    case basicDeliver(consumerTag: String, deliveryTag: UInt64, redelivered: Bool, exchange: String, routingKey: String)
    /// 60,80: acknowledge a delivery, or (from the server) confirm a publish.
    case basicAck(deliveryTag: UInt64, multiple: Bool)
    /// 60,90: reject one delivery.
    case basicReject(deliveryTag: UInt64, requeue: Bool)
    /// 60,120: reject deliveries, or (from the server) refuse a publish.
    case basicNack(deliveryTag: UInt64, multiple: Bool, requeue: Bool)
    /// 85,10: put the channel in publisher-confirm mode.
    case confirmSelect(noWait: Bool)
    /// 85,11: the channel is in confirm mode.
    case confirmSelectOk

    /// The class and method ids.
    package var ids: (classID: UInt16, methodID: UInt16) {
        switch self {
        case .connectionStart: (10, 10)
        case .connectionStartOk: (10, 11)
        case .connectionTune: (10, 30)
        case .connectionTuneOk: (10, 31)
        case .connectionOpen: (10, 40)
        case .connectionOpenOk: (10, 41)
        case .connectionClose: (10, 50)
        case .connectionCloseOk: (10, 51)
        case .connectionBlocked: (10, 60)
        case .connectionUnblocked: (10, 61)
        case .channelOpen: (20, 10)
        case .channelOpenOk: (20, 11)
        case .channelClose: (20, 40)
        case .channelCloseOk: (20, 41)
        case .exchangeDeclare: (40, 10)
        case .exchangeDeclareOk: (40, 11)
        case .queueDeclare: (50, 10)
        case .queueDeclareOk: (50, 11)
        case .queueBind: (50, 20)
        case .queueBindOk: (50, 21)
        case .basicQos: (60, 10)
        case .basicQosOk: (60, 11)
        case .basicConsume: (60, 20)
        case .basicConsumeOk: (60, 21)
        case .basicCancel: (60, 30)
        case .basicCancelOk: (60, 31)
        case .basicPublish: (60, 40)
        case .basicReturn: (60, 50)
        case .basicDeliver: (60, 60)
        case .basicAck: (60, 80)
        case .basicReject: (60, 90)
        case .basicNack: (60, 120)
        case .confirmSelect: (85, 10)
        case .confirmSelectOk: (85, 11)
        }
    }

    /// Whether content (a header and body frames) follows this method.
    package var hasContent: Bool {
        switch self {
        case .basicPublish, .basicReturn, .basicDeliver: true
        default: false
        }
    }

    /// A readable name such as `Queue.Declare`, for errors and logs.
    package var name: String { Self.name(classID: ids.classID, methodID: ids.methodID) }

    /// The readable name of a class and method id pair.
    package static func name(classID: UInt16, methodID: UInt16) -> String {
        guard let className = classNames[classID], let methodName = methodNames[classID]?[methodID] else {
            return "method \(classID),\(methodID)"
        }
        return "\(className).\(methodName)"
    }

    private static let classNames: [UInt16: String] = [
        10: "Connection", 20: "Channel", 40: "Exchange", 50: "Queue", 60: "Basic", 85: "Confirm",
    ]

    private static let methodNames: [UInt16: [UInt16: String]] = [
        10: [
            10: "Start", 11: "StartOk", 30: "Tune", 31: "TuneOk", 40: "Open", 41: "OpenOk", 50: "Close", 51: "CloseOk", 60: "Blocked",
            61: "Unblocked",
        ],
        20: [10: "Open", 11: "OpenOk", 40: "Close", 41: "CloseOk"],
        40: [10: "Declare", 11: "DeclareOk"],
        50: [10: "Declare", 11: "DeclareOk", 20: "Bind", 21: "BindOk"],
        60: [
            10: "Qos", 11: "QosOk", 20: "Consume", 21: "ConsumeOk", 30: "Cancel", 31: "CancelOk", 40: "Publish",
            50: "Return", 60: "Deliver", 80: "Ack", 90: "Reject", 120: "Nack",
        ],
        85: [10: "Select", 11: "SelectOk"],
    ]
}
