extension Schedule {
    /// A 32-hex-digit ID derived from the content: FNV-1a (128-bit) over a canonical JSON rendering
    /// with sorted object keys, so it is the same in every process and on every start.
    var derivedScheduleID: String {
        var content = JSONObject()
        content["task_name"] = .string(taskName)
        switch trigger {
        case .cron(let cron, let zone):
            content["cron"] = .string(cron.source)
            content["cron_offset"] = .string(zone.source)
        case .interval(let seconds):
            content["interval"] = .int(seconds)
        case .once(let date):
            content["time"] = .double(date.timeIntervalSince1970)
        }
        content["args"] = .array(args)
        content["kwargs"] = .object(kwargs)
        content["labels"] = .object(labels)
        content["task_id"] = taskID.map(JSONValue.string) ?? .null
        let bytes = JSONWriter(style: .compact).serialize(Self.canonical(.object(content)))
        var hash: UInt128 = 0x6c62272e_07bb0142_62b82175_6295c58d
        let prime: UInt128 = 0x00000000_01000000_00000000_0000013B
        for byte in bytes {
            hash ^= UInt128(byte)
            hash = hash &* prime
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 32 - hex.count) + hex
    }

    /// The value with every object's keys sorted, so key order does not change the ID.
    private static func canonical(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let elements): .array(elements.map(canonical))
        case .object(let object):
            .object(JSONObject(object.sorted { $0.key < $1.key }.map { ($0.key, canonical($0.value)) }))
        default: value
        }
    }
}
