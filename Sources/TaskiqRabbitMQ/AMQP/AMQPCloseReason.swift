/// The arguments of Connection.Close and Channel.Close: a reply code, its text, and the
/// method that caused it (0/0 for a normal close).
package struct AMQPCloseReason: Sendable, Equatable, CustomStringConvertible {
    /// The AMQP reply code: 200 normal, 320 connection forced, 403 access refused, 404 not found,
    /// 406 precondition failed, 503 command invalid, …
    package var replyCode: UInt16
    /// The server's explanation, such as `PRECONDITION_FAILED - inequivalent arg …`.
    package var replyText: String
    /// The class of the method that failed, or 0.
    package var classID: UInt16
    /// The id of the method that failed, or 0.
    package var methodID: UInt16

    /// Creates a reason.
    package init(replyCode: UInt16, replyText: String, classID: UInt16 = 0, methodID: UInt16 = 0) {
        self.replyCode = replyCode
        self.replyText = replyText
        self.classID = classID
        self.methodID = methodID
    }

    /// A normal close: 200, the given text.
    package static func normal(_ text: String = "") -> AMQPCloseReason { AMQPCloseReason(replyCode: 200, replyText: text) }

    /// `406 PRECONDITION_FAILED - … (class 50, method 10)`.
    package var description: String {
        let method = classID == 0 && methodID == 0 ? "" : " (class \(classID), method \(methodID))"
        return "\(replyCode) \(replyText)\(method)"
    }
}
