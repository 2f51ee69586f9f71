/// A content header frame's payload: the class (60, basic), the body size, the properties.
package struct AMQPContentHeader: Sendable, Equatable {
    /// The content class; 60 for every message this client sees.
    package var classID: UInt16
    /// The total size of the body frames that follow.
    package var bodySize: UInt64
    /// The message properties.
    package var properties: AMQPProperties

    /// Creates a header.
    package init(classID: UInt16 = 60, bodySize: UInt64, properties: AMQPProperties) {
        self.classID = classID
        self.bodySize = bodySize
        self.properties = properties
    }

    /// `class_id | weight 0 | body_size | flags | values`.
    package func encode(into writer: inout AMQPByteWriter) {
        writer.write(classID)
        writer.write(UInt16(0))
        writer.write(bodySize)
        properties.encode(into: &writer)
    }

    /// Decodes a whole header payload.
    package static func decode(_ reader: inout AMQPByteReader) throws(AMQPProtocolError) -> AMQPContentHeader {
        let classID = try reader.readUInt16("the content class id")
        _ = try reader.readUInt16("the content weight")
        let bodySize = try reader.readUInt64("the body size")
        let properties = try AMQPProperties.decode(&reader)
        try reader.expectEnd("the content header properties")
        return AMQPContentHeader(classID: classID, bodySize: bodySize, properties: properties)
    }
}
