extension AMQPMethod {
    /// Decodes a method frame's whole payload; throws on unknown ids, short or long payloads.
    package static func decode(_ reader: inout AMQPByteReader) throws(AMQPProtocolError) -> AMQPMethod {
        let start = reader.offset
        let classID = try reader.readUInt16("the class id")
        let methodID = try reader.readUInt16("the method id")
        // Only errors say it: building it for every frame cost ~5% of a worker's CPU.
        func name() -> String { AMQPMethod.name(classID: classID, methodID: methodID) }
        let method: AMQPMethod
        switch (classID, methodID) {
        case (10, 10):
            method = .connectionStart(
                versionMajor: try reader.readUInt8("version_major"), versionMinor: try reader.readUInt8("version_minor"),
                serverProperties: try reader.readTable("server_properties"),
                mechanisms: try reader.readLongString("mechanisms"), locales: try reader.readLongString("locales"))
        case (10, 11):
            method = .connectionStartOk(
                clientProperties: try reader.readTable("client_properties"),
                mechanism: try reader.readShortString("mechanism"),
                response: try reader.readLongString("response"), locale: try reader.readShortString("locale"))
        case (10, 30), (10, 31):
            let channelMax = try reader.readUInt16("channel_max")
            let frameMax = try reader.readUInt32("frame_max")
            let heartbeat = try reader.readUInt16("heartbeat")
            method =
                methodID == 30
                ? .connectionTune(channelMax: channelMax, frameMax: frameMax, heartbeat: heartbeat)
                : .connectionTuneOk(channelMax: channelMax, frameMax: frameMax, heartbeat: heartbeat)
        case (10, 40):
            let virtualHost = try reader.readShortString("virtual_host")
            _ = try reader.readShortString("capabilities")
            _ = try reader.readUInt8("insist")
            method = .connectionOpen(virtualHost: virtualHost)
        case (10, 41):
            _ = try reader.readShortString("known_hosts")
            method = .connectionOpenOk
        case (10, 50): method = .connectionClose(try readCloseReason(&reader))
        case (10, 51): method = .connectionCloseOk
        case (10, 60): method = .connectionBlocked(reason: try reader.readShortString("reason"))
        case (10, 61): method = .connectionUnblocked
        case (20, 10): method = .channelOpen(reserved: try reader.readShortString("out_of_band"))
        case (20, 11): method = .channelOpenOk(reserved: try reader.readLongString("channel_id"))
        case (20, 40): method = .channelClose(try readCloseReason(&reader))
        case (20, 41): method = .channelCloseOk
        case (40, 10):
            _ = try reader.readUInt16("ticket")
            let exchange = try reader.readShortString("exchange")
            let type = try reader.readShortString("type")
            let bits = try reader.readUInt8("the flags")
            method = .exchangeDeclare(
                exchange: exchange, type: type, passive: bits & 1 != 0, durable: bits & 2 != 0,
                autoDelete: bits & 4 != 0, internal: bits & 8 != 0, noWait: bits & 16 != 0,
                arguments: try reader.readTable("arguments"))
        case (40, 11): method = .exchangeDeclareOk
        case (50, 10):
            _ = try reader.readUInt16("ticket")
            let queue = try reader.readShortString("queue")
            let bits = try reader.readUInt8("the flags")
            method = .queueDeclare(
                queue: queue, passive: bits & 1 != 0, durable: bits & 2 != 0, exclusive: bits & 4 != 0,
                autoDelete: bits & 8 != 0, noWait: bits & 16 != 0, arguments: try reader.readTable("arguments"))
        case (50, 11):
            method = .queueDeclareOk(
                queue: try reader.readShortString("queue"), messageCount: try reader.readUInt32("message_count"),
                consumerCount: try reader.readUInt32("consumer_count"))
        case (50, 20):
            _ = try reader.readUInt16("ticket")
            let queue = try reader.readShortString("queue")
            let exchange = try reader.readShortString("exchange")
            let routingKey = try reader.readShortString("routing_key")
            let bits = try reader.readUInt8("nowait")
            method = .queueBind(
                queue: queue, exchange: exchange, routingKey: routingKey, noWait: bits & 1 != 0,
                arguments: try reader.readTable("arguments"))
        case (50, 21): method = .queueBindOk
        case (60, 10):
            let size = try reader.readUInt32("prefetch_size")
            let count = try reader.readUInt16("prefetch_count")
            method = .basicQos(prefetchSize: size, prefetchCount: count, global: try reader.readUInt8("global") & 1 != 0)
        case (60, 11): method = .basicQosOk
        case (60, 20):
            _ = try reader.readUInt16("ticket")
            let queue = try reader.readShortString("queue")
            let tag = try reader.readShortString("consumer_tag")
            let bits = try reader.readUInt8("the flags")
            method = .basicConsume(
                queue: queue, consumerTag: tag, noLocal: bits & 1 != 0, noAck: bits & 2 != 0,
                exclusive: bits & 4 != 0, noWait: bits & 8 != 0, arguments: try reader.readTable("arguments"))
        case (60, 21): method = .basicConsumeOk(consumerTag: try reader.readShortString("consumer_tag"))
        case (60, 30):
            let tag = try reader.readShortString("consumer_tag")
            method = .basicCancel(consumerTag: tag, noWait: try reader.readUInt8("nowait") & 1 != 0)
        case (60, 31): method = .basicCancelOk(consumerTag: try reader.readShortString("consumer_tag"))
        case (60, 40):
            _ = try reader.readUInt16("ticket")
            let exchange = try reader.readShortString("exchange")
            let routingKey = try reader.readShortString("routing_key")
            let bits = try reader.readUInt8("the flags")
            method = .basicPublish(exchange: exchange, routingKey: routingKey, mandatory: bits & 1 != 0, immediate: bits & 2 != 0)
        case (60, 50):
            method = .basicReturn(
                replyCode: try reader.readUInt16("reply_code"), replyText: try reader.readShortString("reply_text"),
                exchange: try reader.readShortString("exchange"), routingKey: try reader.readShortString("routing_key"))
        case (60, 60):
            let tag = try reader.readShortString("consumer_tag")
            let deliveryTag = try reader.readUInt64("delivery_tag")
            let redelivered = try reader.readUInt8("redelivered") & 1 != 0
            method = .basicDeliver(
                consumerTag: tag, deliveryTag: deliveryTag, redelivered: redelivered,
                exchange: try reader.readShortString("exchange"), routingKey: try reader.readShortString("routing_key"))
        case (60, 80):
            let tag = try reader.readUInt64("delivery_tag")
            method = .basicAck(deliveryTag: tag, multiple: try reader.readUInt8("multiple") & 1 != 0)
        case (60, 90):
            let tag = try reader.readUInt64("delivery_tag")
            method = .basicReject(deliveryTag: tag, requeue: try reader.readUInt8("requeue") & 1 != 0)
        case (60, 120):
            let tag = try reader.readUInt64("delivery_tag")
            let bits = try reader.readUInt8("the flags")
            method = .basicNack(deliveryTag: tag, multiple: bits & 1 != 0, requeue: bits & 2 != 0)
        case (85, 10): method = .confirmSelect(noWait: try reader.readUInt8("nowait") & 1 != 0)
        case (85, 11): method = .confirmSelectOk
        default:
            throw AMQPProtocolError(.unknownMethod, offset: start, "\(name()) is not a method this client knows")
        }
        try reader.expectEnd("the arguments of \(name())")
        return method
    }

    private static func readCloseReason(_ reader: inout AMQPByteReader) throws(AMQPProtocolError) -> AMQPCloseReason {
        AMQPCloseReason(
            replyCode: try reader.readUInt16("reply_code"), replyText: try reader.readShortString("reply_text"),
            classID: try reader.readUInt16("class_id"), methodID: try reader.readUInt16("method_id"))
    }
}
