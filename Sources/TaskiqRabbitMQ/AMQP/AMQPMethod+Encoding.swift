extension AMQPMethod {
    /// The method payload: class id, method id, then the arguments in wire order.
    package func encode(into writer: inout AMQPByteWriter) {
        writer.write(ids.classID)
        writer.write(ids.methodID)
        switch self {
        case .connectionStart(let major, let minor, let properties, let mechanisms, let locales):
            writer.write(major)
            writer.write(minor)
            writer.writeTable(properties)
            writer.writeLongString(mechanisms)
            writer.writeLongString(locales)
        case .connectionStartOk(let properties, let mechanism, let response, let locale):
            writer.writeTable(properties)
            writer.writeShortString(mechanism)
            writer.writeLongString(response)
            writer.writeShortString(locale)
        case .connectionTune(let channelMax, let frameMax, let heartbeat),
            .connectionTuneOk(let channelMax, let frameMax, let heartbeat):
            writer.write(channelMax)
            writer.write(frameMax)
            writer.write(heartbeat)
        case .connectionOpen(let virtualHost):
            writer.writeShortString(virtualHost)
            writer.writeShortString("")
            writer.writeBits(false)
        case .connectionOpenOk:
            writer.writeShortString("")
        case .connectionClose(let reason), .channelClose(let reason):
            writer.write(reason.replyCode)
            writer.writeShortString(reason.replyText)
            writer.write(reason.classID)
            writer.write(reason.methodID)
        case .connectionCloseOk, .connectionUnblocked, .channelCloseOk, .exchangeDeclareOk, .queueBindOk,
            .basicQosOk, .confirmSelectOk:
            break
        case .connectionBlocked(let reason):
            writer.writeShortString(reason)
        case .channelOpen(let reserved):
            writer.writeShortString(reserved)
        case .channelOpenOk(let reserved):
            writer.writeLongString(reserved)
        case .exchangeDeclare(let exchange, let type, let passive, let durable, let autoDelete, let isInternal, let noWait, let arguments):
            writer.write(UInt16(0))
            writer.writeShortString(exchange)
            writer.writeShortString(type)
            writer.writeBits(passive, durable, autoDelete, isInternal, noWait)
            writer.writeTable(arguments)
        case .queueDeclare(let queue, let passive, let durable, let exclusive, let autoDelete, let noWait, let arguments):
            writer.write(UInt16(0))
            writer.writeShortString(queue)
            writer.writeBits(passive, durable, exclusive, autoDelete, noWait)
            writer.writeTable(arguments)
        case .queueDeclareOk(let queue, let messageCount, let consumerCount):
            writer.writeShortString(queue)
            writer.write(messageCount)
            writer.write(consumerCount)
        case .queueBind(let queue, let exchange, let routingKey, let noWait, let arguments):
            writer.write(UInt16(0))
            writer.writeShortString(queue)
            writer.writeShortString(exchange)
            writer.writeShortString(routingKey)
            writer.writeBits(noWait)
            writer.writeTable(arguments)
        case .basicQos(let prefetchSize, let prefetchCount, let global):
            writer.write(prefetchSize)
            writer.write(prefetchCount)
            writer.writeBits(global)
        case .basicConsume(let queue, let consumerTag, let noLocal, let noAck, let exclusive, let noWait, let arguments):
            writer.write(UInt16(0))
            writer.writeShortString(queue)
            writer.writeShortString(consumerTag)
            writer.writeBits(noLocal, noAck, exclusive, noWait)
            writer.writeTable(arguments)
        case .basicConsumeOk(let consumerTag), .basicCancelOk(let consumerTag):
            writer.writeShortString(consumerTag)
        case .basicCancel(let consumerTag, let noWait):
            writer.writeShortString(consumerTag)
            writer.writeBits(noWait)
        case .basicPublish(let exchange, let routingKey, let mandatory, let immediate):
            writer.write(UInt16(0))
            writer.writeShortString(exchange)
            writer.writeShortString(routingKey)
            writer.writeBits(mandatory, immediate)
        case .basicReturn(let replyCode, let replyText, let exchange, let routingKey):
            writer.write(replyCode)
            writer.writeShortString(replyText)
            writer.writeShortString(exchange)
            writer.writeShortString(routingKey)
        case .basicDeliver(let consumerTag, let deliveryTag, let redelivered, let exchange, let routingKey):
            writer.writeShortString(consumerTag)
            writer.write(deliveryTag)
            writer.writeBits(redelivered)
            writer.writeShortString(exchange)
            writer.writeShortString(routingKey)
        case .basicAck(let deliveryTag, let multiple):
            writer.write(deliveryTag)
            writer.writeBits(multiple)
        case .basicReject(let deliveryTag, let requeue):
            writer.write(deliveryTag)
            writer.writeBits(requeue)
        case .basicNack(let deliveryTag, let multiple, let requeue):
            writer.write(deliveryTag)
            writer.writeBits(multiple, requeue)
        case .confirmSelect(let noWait):
            writer.writeBits(noWait)
        }
    }
}
