#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A message that could not or must not run, kept with the reason so an operator can look at it
/// and replay it.
///
/// A ``Receiver`` writes one to the broker's ``DeadLetterQueue`` for an undecodable message, a
/// task name that is not registered and (per ``DeadLetterPolicy``) a failed task that will not
/// be retried; TaskiqRedis' `RedisStreamBroker` writes one for an entry delivered more than
/// `max_deliveries` times. ``data`` holds the bytes exactly as they were delivered, so a replay
/// sends the same message.
public struct DeadLetter: Sendable, Hashable {
    /// Why a message became a dead letter. An open set: compare with the static members.
    public typealias Reason = ErrorCode<DeadLetter>

    /// The letter's ID in its queue; empty until a queue stored it.
    public var id: String
    /// Why the message is here.
    public var reason: Reason
    /// A sentence for people: the parse error, the unknown name, the task's error.
    public var message: String
    /// The message bytes as delivered.
    public var data: [UInt8]
    /// The task's name, when the message could be decoded.
    public var taskName: String?
    /// The task's ID, when the message could be decoded.
    public var taskID: String?
    /// The configured name of the broker the message came through (`default` or a key of
    /// `brokers`), when known.
    public var broker: String?
    /// The transport's queue (a Redis stream or list key), when known.
    public var queue: String?
    /// The broker's own ID of the delivery (a Redis stream entry ID), when it has one.
    public var originalID: String?
    /// How many times the broker delivered the message, when known.
    public var deliveries: Int?
    /// When the letter was written.
    public var timestamp: Date
    /// The task's error, for failed tasks.
    public var error: TaskError?

    /// Creates a dead letter.
    /// - Parameters:
    ///   - id: The ID in its queue; leave empty for a letter about to be added (the queue assigns one).
    ///   - reason: Why the message is here.
    ///   - message: A sentence for people.
    ///   - data: The message bytes as delivered.
    ///   - taskName: The task's name, when known.
    ///   - taskID: The task's ID, when known.
    ///   - broker: The configured broker name, when known.
    ///   - queue: The transport's queue, when known.
    ///   - originalID: The broker's ID of the delivery, when it has one.
    ///   - deliveries: How many times it was delivered, when known.
    ///   - timestamp: When it was written; now by default.
    ///   - error: The task's error, for failed tasks.
    public init(
        id: String = "", reason: Reason, message: String, data: [UInt8], taskName: String? = nil,
        taskID: String? = nil, broker: String? = nil, queue: String? = nil, originalID: String? = nil,
        deliveries: Int? = nil, timestamp: Date = Date(), error: TaskError? = nil
    ) {
        self.id = id
        self.reason = reason
        self.message = message
        self.data = data
        self.taskName = taskName
        self.taskID = taskID
        self.broker = broker
        self.queue = queue
        self.originalID = originalID
        self.deliveries = deliveries
        self.timestamp = timestamp
        self.error = error
    }
}

extension ErrorCode where Domain == DeadLetter {
    /// The bytes are not a taskiq message (or the broker's entry carries no message).
    public static var undecodable: Self { "undecodable" }
    /// The message names a task that is not registered with the worker.
    public static var unknownTask: Self { "unknown_task" }
    /// The task failed and its retry middleware scheduled no further attempt (attempts used
    /// up, or an error type it does not retry).
    public static var retriesExhausted: Self { "retries_exhausted" }
    /// The task failed and no retry middleware considered it (with ``DeadLetterPolicy/all``).
    public static var taskFailed: Self { "task_failed" }
    /// The broker delivered the message more times than its delivery limit allows.
    public static var deliveryLimit: Self { "delivery_limit" }
    /// The message exceeds a configured input limit (size, depth, label count).
    public static var limitExceeded: Self { "limit_exceeded" }
}
