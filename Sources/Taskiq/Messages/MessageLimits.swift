/// Caps on what one incoming message may contain, checked by the ``Receiver`` before a task runs.
///
/// A message over any cap is rejected like an undecodable one: logged at warning with the cap's
/// name and the value found, counted per cap in ``ReceiverStatistics/limitRejections``, and
/// acknowledged so that it is not delivered again. The size is checked before parsing and the
/// nesting depth while parsing, so a hostile message costs no more than its first bytes.
///
/// ```swift
/// var limits = MessageLimits()
/// limits.maxMessageSize = 1 << 20
/// let receiver = Receiver(broker: broker, options: ReceiverOptions(limits: limits))
/// ```
public struct MessageLimits: Sendable, Hashable {
    /// The name of one cap, as the configuration file spells it (`max_message_size`).
    public typealias Limit = ErrorCode<MessageLimits>

    /// The largest message, in bytes, as delivered by the broker. Default 16 MiB.
    public var maxMessageSize: Int
    /// The deepest nesting of JSON arrays and objects in a message, counting the message object
    /// itself as 1 and `args`, `kwargs` and `labels` as 2: an argument `[[1]]` reaches depth 4.
    /// Empty arrays and objects do not count. Default 128.
    public var maxDepth: Int
    /// The most positional and keyword arguments together. Default 1024.
    public var maxArguments: Int
    /// The most labels. Default 128.
    public var maxLabels: Int
    /// The longest label name, in UTF-8 bytes. Default 256.
    public var maxLabelKeySize: Int
    /// The longest label value in its wire (string) form, in UTF-8 bytes. Default 64 KiB.
    public var maxLabelValueSize: Int

    /// Creates limits; the defaults let through anything a reasonable producer sends.
    /// - Parameters:
    ///   - maxMessageSize: The largest message in bytes.
    ///   - maxDepth: The deepest nesting of arrays and objects, the message object being depth 1.
    ///   - maxArguments: The most positional and keyword arguments together.
    ///   - maxLabels: The most labels.
    ///   - maxLabelKeySize: The longest label name in bytes.
    ///   - maxLabelValueSize: The longest label value in bytes.
    public init(
        maxMessageSize: Int = 16 << 20, maxDepth: Int = 128, maxArguments: Int = 1024, maxLabels: Int = 128,
        maxLabelKeySize: Int = 256, maxLabelValueSize: Int = 64 << 10
    ) {
        self.maxMessageSize = maxMessageSize
        self.maxDepth = maxDepth
        self.maxArguments = maxArguments
        self.maxLabels = maxLabels
        self.maxLabelKeySize = maxLabelKeySize
        self.maxLabelValueSize = maxLabelValueSize
    }
}

extension ErrorCode where Domain == MessageLimits {
    /// ``MessageLimits/maxMessageSize``.
    public static var messageSize: Self { "max_message_size" }
    /// ``MessageLimits/maxDepth``.
    public static var depth: Self { "max_depth" }
    /// ``MessageLimits/maxArguments``.
    public static var arguments: Self { "max_arguments" }
    /// ``MessageLimits/maxLabels``.
    public static var labels: Self { "max_labels" }
    /// ``MessageLimits/maxLabelKeySize``.
    public static var labelKeySize: Self { "max_label_key_size" }
    /// ``MessageLimits/maxLabelValueSize``.
    public static var labelValueSize: Self { "max_label_value_size" }

    /// Every cap, in the order they are checked.
    public static var all: [Self] { [.messageSize, .depth, .arguments, .labels, .labelKeySize, .labelValueSize] }
}
