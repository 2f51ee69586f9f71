/// The 14 basic-class message properties of a content header; `nil` means "not present".
///
/// Only present values are on the wire, flagged in the property-flags word, bit 15 first:
/// content_type 0x8000 … cluster_id 0x0004.
package struct AMQPProperties: Sendable, Equatable {
    /// 0x8000: MIME content type.
    package var contentType: String?
    /// 0x4000: MIME content encoding.
    package var contentEncoding: String?
    /// 0x2000: application headers (taskiq puts `task_id`, `task_name` and the labels here).
    package var headers: AMQPFieldTable?
    /// 0x1000: 1 transient, 2 persistent.
    package var deliveryMode: UInt8?
    /// 0x0800: priority 0–9 (or up to a classic queue's `x-max-priority`).
    package var priority: UInt8?
    /// 0x0400: correlation id.
    package var correlationID: String?
    /// 0x0200: reply-to queue.
    package var replyTo: String?
    /// 0x0100: per-message TTL in milliseconds, as a decimal string.
    package var expiration: String?
    /// 0x0080: message id (aio-pika: 32 hex digits).
    package var messageID: String?
    /// 0x0040: seconds since the epoch.
    package var timestamp: UInt64?
    /// 0x0020: message type name.
    package var type: String?
    /// 0x0010: the user id, checked by RabbitMQ against the connection's user.
    package var userID: String?
    /// 0x0008: application id.
    package var appID: String?
    /// 0x0004: deprecated cluster id.
    package var clusterID: String?

    /// No properties (flags 0x0000).
    package init() {}

    /// Properties with the given values; the rest absent.
    package init(
        headers: AMQPFieldTable? = nil, deliveryMode: UInt8? = nil, priority: UInt8? = nil,
        messageID: String? = nil, expiration: String? = nil
    ) {
        self.headers = headers
        self.deliveryMode = deliveryMode
        self.priority = priority
        self.messageID = messageID
        self.expiration = expiration
    }

    /// The property-flags word for the present values.
    package var flags: UInt16 {
        var flags: UInt16 = 0
        if contentType != nil { flags |= 0x8000 }
        if contentEncoding != nil { flags |= 0x4000 }
        if headers != nil { flags |= 0x2000 }
        if deliveryMode != nil { flags |= 0x1000 }
        if priority != nil { flags |= 0x0800 }
        if correlationID != nil { flags |= 0x0400 }
        if replyTo != nil { flags |= 0x0200 }
        if expiration != nil { flags |= 0x0100 }
        if messageID != nil { flags |= 0x0080 }
        if timestamp != nil { flags |= 0x0040 }
        if type != nil { flags |= 0x0020 }
        if userID != nil { flags |= 0x0010 }
        if appID != nil { flags |= 0x0008 }
        if clusterID != nil { flags |= 0x0004 }
        return flags
    }

    /// Writes the flags word and the present values.
    package func encode(into writer: inout AMQPByteWriter) {
        writer.write(flags)
        if let contentType { writer.writeShortString(contentType) }
        if let contentEncoding { writer.writeShortString(contentEncoding) }
        if let headers { writer.writeTable(headers) }
        if let deliveryMode { writer.write(deliveryMode) }
        if let priority { writer.write(priority) }
        if let correlationID { writer.writeShortString(correlationID) }
        if let replyTo { writer.writeShortString(replyTo) }
        if let expiration { writer.writeShortString(expiration) }
        if let messageID { writer.writeShortString(messageID) }
        if let timestamp { writer.write(timestamp) }
        if let type { writer.writeShortString(type) }
        if let userID { writer.writeShortString(userID) }
        if let appID { writer.writeShortString(appID) }
        if let clusterID { writer.writeShortString(clusterID) }
    }

    /// Reads a flags word and the values it announces.
    ///
    /// A set bit 0 (a continuation flags word, which RabbitMQ never sends) or bit 1 (unassigned)
    /// is refused rather than misread.
    package static func decode(_ reader: inout AMQPByteReader) throws(AMQPProtocolError) -> AMQPProperties {
        let start = reader.offset
        let flags = try reader.readUInt16("the property flags")
        guard flags & 0x0003 == 0 else {
            throw AMQPProtocolError(
                .invalidValue, offset: start,
                "property flags 0x\(String(flags, radix: 16)) set bit 0 or 1, which no basic property uses")
        }
        var properties = AMQPProperties()
        if flags & 0x8000 != 0 { properties.contentType = try reader.readShortString("content_type") }
        if flags & 0x4000 != 0 { properties.contentEncoding = try reader.readShortString("content_encoding") }
        if flags & 0x2000 != 0 { properties.headers = try reader.readTable("headers") }
        if flags & 0x1000 != 0 { properties.deliveryMode = try reader.readUInt8("delivery_mode") }
        if flags & 0x0800 != 0 { properties.priority = try reader.readUInt8("priority") }
        if flags & 0x0400 != 0 { properties.correlationID = try reader.readShortString("correlation_id") }
        if flags & 0x0200 != 0 { properties.replyTo = try reader.readShortString("reply_to") }
        if flags & 0x0100 != 0 { properties.expiration = try reader.readShortString("expiration") }
        if flags & 0x0080 != 0 { properties.messageID = try reader.readShortString("message_id") }
        if flags & 0x0040 != 0 { properties.timestamp = try reader.readUInt64("timestamp") }
        if flags & 0x0020 != 0 { properties.type = try reader.readShortString("type") }
        if flags & 0x0010 != 0 { properties.userID = try reader.readShortString("user_id") }
        if flags & 0x0008 != 0 { properties.appID = try reader.readShortString("app_id") }
        if flags & 0x0004 != 0 { properties.clusterID = try reader.readShortString("cluster_id") }
        return properties
    }
}
