extension JSONValue {
    /// What Python's `str()` gives for the equivalent Python object (`None`, `True`, `2.5`, `'a'`,
    /// `[1, 'a']`, `{'cron': '*/5 * * * *'}`), as taskiq writes labels of type ANY.
    ///
    /// Strings inside containers, and a string on its own, are quoted as Python's `repr` quotes them.
    /// (Python's `str()` of a bare string is the string itself; callers that need that use the string.)
    /// Non-finite doubles print as `nan`, `inf` and `-inf`.
    public var pythonRepr: String {
        var out: [UInt8] = []
        out.reserveCapacity(32)
        Self.appendPythonRepr(self, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func appendPythonRepr(_ value: JSONValue, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "None".utf8)
        case .bool(let bool): out.append(contentsOf: (bool ? "True" : "False").utf8)
        case .int(let int): NumberFormatting.appendInt(int, to: &out)
        case .bigInteger(let big): out.append(contentsOf: big.description.utf8)
        case .double(let double):
            if double.isFinite {
                NumberFormatting.appendPythonFloat(double, to: &out)
            } else {
                out.append(contentsOf: (double.isNaN ? "nan" : double < 0 ? "-inf" : "inf").utf8)
            }
        case .string(let string): appendPythonStringRepr(string, to: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(contentsOf: ", ".utf8) }
                appendPythonRepr(element, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            for (index, entry) in object.enumerated() {
                if index > 0 { out.append(contentsOf: ", ".utf8) }
                appendPythonStringRepr(entry.key, to: &out)
                out.append(contentsOf: ": ".utf8)
                appendPythonRepr(entry.value, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Follows CPython's `unicode_repr`: single quotes unless the string has `'` and no `"`.
    private static func appendPythonStringRepr(_ string: String, to out: inout [UInt8]) {
        let utf8 = string.utf8
        let quote = utf8.contains(UInt8(ascii: "'")) && !utf8.contains(UInt8(ascii: "\"")) ? UInt8(ascii: "\"") : UInt8(ascii: "'")
        out.append(quote)
        for scalar in string.unicodeScalars {
            let value = scalar.value
            switch value {
            case UInt32(quote), 0x5C:
                out.append(UInt8(ascii: "\\"))
                out.append(UInt8(value))
            case 0x09: out.append(contentsOf: #"\t"#.utf8)
            case 0x0A: out.append(contentsOf: #"\n"#.utf8)
            case 0x0D: out.append(contentsOf: #"\r"#.utf8)
            case ..<0x20, 0x7F: appendHexEscape("x", value, digits: 2, to: &out)
            case ..<0x7F: out.append(UInt8(value))
            default:
                if isPythonPrintable(scalar) {
                    out.append(contentsOf: String(Character(scalar)).utf8)
                } else if value <= 0xFF {
                    appendHexEscape("x", value, digits: 2, to: &out)
                } else if value <= 0xFFFF {
                    appendHexEscape("u", value, digits: 4, to: &out)
                } else {
                    appendHexEscape("U", value, digits: 8, to: &out)
                }
            }
        }
        out.append(quote)
    }

    /// Python's `str.isprintable` for one non-ASCII character: not in categories Cc, Cf, Cs, Co, Cn, Zl, Zp, Zs.
    private static func isPythonPrintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned,
            .lineSeparator, .paragraphSeparator, .spaceSeparator:
            false
        default:
            true
        }
    }

    private static func appendHexEscape(_ letter: Character, _ value: UInt32, digits: Int, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\\"))
        out.append(letter.asciiValue!)
        let hex = String(value, radix: 16, uppercase: false)
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: max(0, digits - hex.utf8.count)))
        out.append(contentsOf: hex.utf8)
    }
}
