extension LogRecord {
    private static let reservedKeys: Set<String> = ["time", "level", "pid", "logger", "message"]

    /// The record as a ``LogOutputFormat/json`` line, newline included.
    var jsonLine: String {
        var line = ""
        line.reserveCapacity(96 + label.utf8.count + message.utf8.count + metadata.count * 32)
        line += "{\"time\":\""
        line += timestamp.iso8601
        line += "\",\"level\":\""
        line += level.rawValue
        line += "\",\"pid\":"
        line += String(processID)
        line += ",\"logger\":"
        line.appendJSONString(label)
        line += ",\"message\":"
        line.appendJSONString(message)
        for (key, value) in sortedMetadata {
            line += ","
            line.appendJSONString(Self.reservedKeys.contains(key) ? "meta." + key : key)
            line += ":"
            line.appendJSONString(value)
        }
        line += "}\n"
        return line
    }
}
