extension LogRecord {
    /// The record as a ``LogOutputFormat/text`` line, newline included.
    var textLine: String {
        var line = ""
        line.reserveCapacity(64 + label.utf8.count + message.utf8.count + metadata.count * 24)
        line += timestamp.iso8601
        line += " "
        let name = level.uppercaseName
        line += name
        // Pad to five columns so messages line up for the common levels.
        for _ in name.utf8.count..<max(5, name.utf8.count) { line += " " }
        line += " [pid "
        line += String(processID)
        line += "] "
        line += label
        line += ": "
        line += message
        for (key, value) in sortedMetadata {
            line += " "
            line += key
            line += "="
            if value.needsQuotingInText {
                line.appendJSONString(value)
            } else {
                line += value
            }
        }
        line += "\n"
        return line
    }
}

extension String {
    fileprivate var needsQuotingInText: Bool {
        if isEmpty { return true }
        for byte in utf8
        where byte <= 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "=")
            || byte == UInt8(ascii: "\\") || byte == 0x7F
        {
            return true
        }
        return false
    }
}
