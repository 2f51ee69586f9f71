extension String {
    /// Appends `value` as a quoted JSON string literal (RFC 8259).
    ///
    /// Escapes `"`, `\` and the C0 control characters; everything else, including non-ASCII
    /// text, is copied as UTF-8. Runs without escapes are appended in one piece.
    mutating func appendJSONString(_ value: String) {
        self += "\""
        let utf8 = value.utf8
        var runStart = utf8.startIndex
        var index = runStart
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                if runStart != index {
                    self.append(contentsOf: Substring(utf8[runStart..<index]))
                }
                switch byte {
                case UInt8(ascii: "\""): self += "\\\""
                case UInt8(ascii: "\\"): self += "\\\\"
                case 0x0A: self += "\\n"
                case 0x0D: self += "\\r"
                case 0x09: self += "\\t"
                case 0x08: self += "\\b"
                case 0x0C: self += "\\f"
                default:
                    self += "\\u00"
                    self += String(Self.hexDigits[Int(byte >> 4)])
                    self += String(Self.hexDigits[Int(byte & 0xF)])
                }
                index = utf8.index(after: index)
                runStart = index
            } else {
                index = utf8.index(after: index)
            }
        }
        if runStart != utf8.endIndex {
            self.append(contentsOf: Substring(utf8[runStart..<utf8.endIndex]))
        }
        self += "\""
    }

    private static let hexDigits: [Character] = Array("0123456789abcdef")
}
