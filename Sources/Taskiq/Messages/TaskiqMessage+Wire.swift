extension TaskiqMessage {
    /// The wire form, as Python taskiq's `model_dump(mode="json")` after label stringification:
    /// every label becomes a string with its type code in `labels_types`.
    public var wireValue: JSONValue {
        let ordered = orderedLabels
        var labels = JSONObject()
        var types = JSONObject()
        for (key, value) in ordered {
            let (string, type) = wireLabel(key, value)
            labels[key] = .string(string)
            types[key] = .int(type.rawValue)
        }
        return .object([
            "task_id": .string(taskID),
            "task_name": .string(taskName),
            "labels": .object(labels),
            "labels_types": .object(types),
            "args": .array(args),
            "kwargs": .object(kwargs),
        ])
    }

    /// A label's wire string and type code: a bytes label's base64 with code 6, else ``LabelType``'s.
    private func wireLabel(_ key: String, _ value: JSONValue) -> (String, LabelType) {
        if !bytesLabels.isEmpty, bytesLabels.contains(key), case .string(let base64) = value { return (base64, .bytes) }
        return LabelType.encode(value)
    }

    /// Appends exactly the bytes `writer.write(wireValue, into:)` would, without building the
    /// intermediate ``JSONValue`` tree (four objects and their entry arrays per message).
    func writeWire(with writer: JSONWriter, into out: inout [UInt8]) {
        var argsSize = 0
        for case .string(let s) in args { argsSize += s.utf8.count + 4 }
        out.reserveCapacity(160 + taskName.utf8.count + argsSize)
        func key(_ name: String, first: Bool = false) {
            if !first { writer.writeSeparator(UInt8(ascii: ","), into: &out) }
            writer.writeString(name, into: &out)
            writer.writeSeparator(UInt8(ascii: ":"), into: &out)
        }
        out.append(UInt8(ascii: "{"))
        key("task_id", first: true)
        writer.writeString(taskID, into: &out)
        key("task_name")
        writer.writeString(taskName, into: &out)
        let ordered = labels.isEmpty ? JSONObject() : orderedLabels
        var types: [LabelType] = []
        types.reserveCapacity(ordered.count)
        key("labels")
        out.append(UInt8(ascii: "{"))
        for (index, entry) in ordered.enumerated() {
            if index > 0 { writer.writeSeparator(UInt8(ascii: ","), into: &out) }
            let (string, type) = wireLabel(entry.key, entry.value)
            types.append(type)
            writer.writeString(entry.key, into: &out)
            writer.writeSeparator(UInt8(ascii: ":"), into: &out)
            writer.writeString(string, into: &out)
        }
        out.append(UInt8(ascii: "}"))
        key("labels_types")
        out.append(UInt8(ascii: "{"))
        for (index, entry) in ordered.enumerated() {
            if index > 0 { writer.writeSeparator(UInt8(ascii: ","), into: &out) }
            writer.writeString(entry.key, into: &out)
            writer.writeSeparator(UInt8(ascii: ":"), into: &out)
            writer.write(.int(types[index].rawValue), into: &out)
        }
        out.append(UInt8(ascii: "}"))
        key("args")
        writer.write(.array(args), into: &out)
        key("kwargs")
        writer.write(.object(kwargs), into: &out)
        out.append(UInt8(ascii: "}"))
    }

    /// Decodes the wire form, converting labels back by their type codes (taskiq's `parse_labels`).
    ///
    /// Unknown fields are ignored, as pydantic does. Labels without a type code keep their JSON value,
    /// so foreign producers may send typed labels (`{"timeout": 5}`) directly.
    /// - Throws: ``TaskiqError`` with code `.invalidMessage` naming the field at fault.
    public init(wireValue value: JSONValue) throws(TaskiqError) {
        guard case .object(let object) = value else {
            throw Self.invalid("expected a JSON object, found \(value.typeName)")
        }
        var fields = WireFields()
        for (key, value) in object {
            var key = key
            key.withUTF8 { fields.take(key: $0, value: value) }
        }
        try self.init(fields)
    }

    /// Decodes the wire form straight from its bytes, as `init(wireValue: parser.parse(bytes))`
    /// does, without building the message's own object: its members go straight to their fields.
    /// - Throws: ``JSONParseError`` when the bytes are not JSON (worded as ``JSONParser`` words it
    ///   for any document), ``TaskiqError`` as ``init(wireValue:)`` throws it.
    package init(wireBytes bytes: [UInt8], parser: JSONParser) throws {
        var fields = WireFields()
        let isObject: Bool
        do {
            isObject = try parser.forEachMember(of: bytes) { key, value in fields.take(key: key, value: value) }
        } catch {
            _ = try parser.parse(bytes)  // throws the error as the whole-document parse words it
            throw error
        }
        guard isObject else {
            try self.init(wireValue: try parser.parse(bytes))
            return
        }
        try self.init(fields)
    }

    /// The members of the message object that decoding reads; others are ignored, as pydantic does.
    private struct WireFields {
        var taskID: JSONValue?
        var taskName: JSONValue?
        var labels: JSONValue?
        var labelsTypes: JSONValue?
        var args: JSONValue?
        var kwargs: JSONValue?

        /// Keeps `value` when `key` is one of the members; a repeated one keeps its last value.
        mutating func take(key: UnsafeBufferPointer<UInt8>, value: JSONValue) {
            func matches(_ name: StaticString) -> Bool {
                key.elementsEqual(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            }
            switch key.count {
            case 4 where matches("args"): args = value
            case 6 where matches("labels"): labels = value
            case 6 where matches("kwargs"): kwargs = value
            case 7 where matches("task_id"): taskID = value
            case 9 where matches("task_name"): taskName = value
            case 12 where matches("labels_types"): labelsTypes = value
            default: break
            }
        }
    }

    private init(_ fields: WireFields) throws(TaskiqError) {
        func field(_ name: String, _ value: JSONValue?) throws(TaskiqError) -> JSONValue {
            guard let value else { throw Self.invalid("missing required field '\(name)'") }
            return value
        }
        guard case .string(let taskID) = try field("task_id", fields.taskID) else {
            throw Self.invalid("field 'task_id' must be a string, found \(try field("task_id", fields.taskID).typeName)")
        }
        guard case .string(let taskName) = try field("task_name", fields.taskName) else {
            throw Self.invalid("field 'task_name' must be a string, found \(try field("task_name", fields.taskName).typeName)")
        }
        guard case .object(let rawLabels) = try field("labels", fields.labels) else {
            throw Self.invalid("field 'labels' must be an object, found \(try field("labels", fields.labels).typeName)")
        }
        guard case .array(let args) = try field("args", fields.args) else {
            throw Self.invalid("field 'args' must be an array, found \(try field("args", fields.args).typeName)")
        }
        guard case .object(let kwargs) = try field("kwargs", fields.kwargs) else {
            throw Self.invalid("field 'kwargs' must be an object, found \(try field("kwargs", fields.kwargs).typeName)")
        }
        var types = JSONObject()
        switch fields.labelsTypes {
        case nil, .null?: break
        case .object(let t)?: types = t
        case let other?: throw Self.invalid("field 'labels_types' must be an object or null, found \(other.typeName)")
        }
        var labels = JSONObject()
        var bytesLabels: Set<String> = []
        for (key, raw) in rawLabels {
            guard let code = types[key] else {
                labels[key] = raw
                continue
            }
            guard let codeNumber = code.intValue, let type = LabelType(rawValue: codeNumber) else {
                throw Self.invalid("labels_types['\(key)'] must be a type code from 1 to 6, found \(code)")
            }
            if type == .bytes, case .string = raw { bytesLabels.insert(key) }
            do {
                labels[key] = try type.decode(raw)
            } catch {
                throw Self.invalid("label '\(key)' has type code \(codeNumber) but its value \(raw) is not \(error.expected)")
            }
        }
        self.init(taskID: taskID, taskName: taskName, labels: labels, args: args, kwargs: kwargs)
        self.bytesLabels = bytesLabels
    }

    private static func invalid(_ reason: String) -> TaskiqError {
        TaskiqError(.invalidMessage, "invalid taskiq message: \(reason)")
    }
}
