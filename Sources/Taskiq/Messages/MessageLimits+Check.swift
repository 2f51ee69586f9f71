extension MessageLimits {
    /// Throws when the encoded message is longer than ``maxMessageSize``; call before parsing.
    public func checkSize(_ byteCount: Int) throws(MessageLimitError) {
        if byteCount > maxMessageSize {
            throw MessageLimitError(
                .messageSize, maximum: maxMessageSize, observed: byteCount,
                "message of \(byteCount) bytes")
        }
    }

    /// Throws when a decoded message has too many arguments or labels, or a label too long.
    ///
    /// The depth is not checked here (see ``checkDepth(_:)``): a parser should enforce it while parsing.
    public func checkContents(_ message: TaskiqMessage) throws(MessageLimitError) {
        let arguments = message.args.count + message.kwargs.count
        if arguments > maxArguments {
            throw MessageLimitError(
                .arguments, maximum: maxArguments, observed: arguments,
                "\(message.args.count) positional and \(message.kwargs.count) keyword arguments (\(arguments))")
        }
        if message.labels.count > maxLabels {
            throw MessageLimitError(
                .labels, maximum: maxLabels, observed: message.labels.count,
                "\(message.labels.count) labels")
        }
        for (key, value) in message.labels {
            let keySize = key.utf8.count
            if keySize > maxLabelKeySize {
                throw MessageLimitError(
                    .labelKeySize, maximum: maxLabelKeySize, observed: keySize,
                    "label name '\(key.prefix(32))...' of \(keySize) bytes")
            }
            let valueSize: Int
            switch value {
            case .string(let string): valueSize = string.utf8.count
            case .bigInteger(let big): valueSize = big.description.utf8.count
            case .int, .bool, .double, .null:
                // A scalar's wire form is at most a few dozen bytes: skip formatting it on the hot path.
                guard maxLabelValueSize < 64 else { continue }
                valueSize = LabelType.encode(value).0.utf8.count
            case .array, .object:
                valueSize = LabelType.encode(value).0.utf8.count
            }
            if valueSize > maxLabelValueSize {
                throw MessageLimitError(
                    .labelValueSize, maximum: maxLabelValueSize, observed: valueSize,
                    "value of label '\(key)' of \(valueSize) bytes")
            }
        }
    }

    /// Throws when a decoded message nests deeper than ``maxDepth``, counted as a JSON parser
    /// would count the wire form (the message object is level 1; empty containers do not count).
    ///
    /// For formatters that cannot check while parsing; the walk stops one level past the cap.
    public func checkDepth(_ message: TaskiqMessage) throws(MessageLimitError) {
        let values = message.args + message.kwargs.map(\.value) + Array(message.labels.values)
        let levels = 2 + (values.map { Self.depth(of: $0, stoppingAfter: maxDepth - 2) }.max() ?? 0)
        if levels > maxDepth {
            throw MessageLimitError(.depth, maximum: maxDepth, observed: levels, "arguments or labels nested \(levels) levels deep")
        }
    }

    /// The nesting of non-empty arrays and objects in `value`, no more than `limit + 1`.
    private static func depth(of value: JSONValue, stoppingAfter limit: Int) -> Int {
        let children: [JSONValue]
        switch value {
        case .array(let items): children = items
        case .object(let object): children = object.map(\.value)
        default: return 0
        }
        guard !children.isEmpty else { return 0 }
        guard limit > 0 else { return 1 }
        return 1 + (children.map { depth(of: $0, stoppingAfter: limit - 1) }.max() ?? 0)
    }
}
