/// Writes integers and finite doubles as ASCII digits, the way Python's `repr` does, straight into a byte buffer.
enum NumberFormatting {
    /// Appends the decimal digits of `value`.
    static func appendInt(_ value: Int, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        appendUInt(value.magnitude, to: &out)
    }

    /// Appends the decimal digits of `value`.
    static func appendUInt(_ value: UInt, to out: inout [UInt8]) {
        if value < 10 {
            out.append(UInt8(truncatingIfNeeded: value) &+ 0x30)
            return
        }
        var digits = 1
        var rest = value / 10
        while rest != 0 {
            digits += 1
            rest /= 10
        }
        let start = out.count
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits))
        out.withUnsafeMutableBufferPointer { buffer in
            var position = start + digits
            var rest = value
            repeat {
                position -= 1
                buffer[position] = UInt8(truncatingIfNeeded: rest % 10) &+ 0x30
                rest /= 10
            } while rest != 0
        }
    }

    /// Appends a finite double as Python's `repr(float)` writes it: the shortest digits that round-trip,
    /// in positional form (`100.0`, `0.0001`) when the decimal exponent is in -4..<16 and in
    /// exponent form (`1e-05`, `1e+16`, `1.5e+300`) otherwise.
    static func appendPythonFloat(_ value: Double, to out: inout [UInt8]) {
        if value == 0 {
            if value.sign == .minus { out.append(UInt8(ascii: "-")) }
            out.append(contentsOf: [UInt8(ascii: "0"), UInt8(ascii: "."), UInt8(ascii: "0")])
            return
        }
        // Integral values below 1e16 print as their exact integer digits, with no need for the
        // shortest-digits search (an ulp there is at most 2, so no shorter string rounds back).
        if value.magnitude < 1e16, value == value.rounded(.towardZero) {
            appendInt(Int(value), to: &out)
            out.append(UInt8(ascii: "."))
            out.append(UInt8(ascii: "0"))
            return
        }
        // Swift's description gives the shortest round-tripping digits; only the layout differs from Python's.
        var description = value.description
        description.withUTF8 { text in
            var k = 0
            if text[k] == UInt8(ascii: "-") {
                out.append(UInt8(ascii: "-"))
                k += 1
            }
            let mark = out.count
            var digitsBeforePoint = 0
            var seenPoint = false
            while k < text.count, text[k] != UInt8(ascii: "e"), text[k] != UInt8(ascii: "E") {
                if text[k] == UInt8(ascii: ".") {
                    seenPoint = true
                } else {
                    out.append(text[k])
                    if !seenPoint { digitsBeforePoint += 1 }
                }
                k += 1
            }
            var exponent = 0
            if k < text.count {
                k += 1
                var negative = false
                if text[k] == UInt8(ascii: "-") || text[k] == UInt8(ascii: "+") {
                    negative = text[k] == UInt8(ascii: "-")
                    k += 1
                }
                while k < text.count {
                    exponent = exponent * 10 + Int(text[k] &- 0x30)
                    k += 1
                }
                if negative { exponent = -exponent }
            }
            // value = 0.DIGITS × 10^pointPosition
            var pointPosition = digitsBeforePoint + exponent
            var leadingZeros = 0
            while mark + leadingZeros < out.count, out[mark + leadingZeros] == UInt8(ascii: "0") { leadingZeros += 1 }
            out.removeSubrange(mark..<mark + leadingZeros)
            pointPosition -= leadingZeros
            while out.count > mark + 1, out[out.count - 1] == UInt8(ascii: "0") { out.removeLast() }
            let digitCount = out.count - mark
            let scientificExponent = pointPosition - 1

            if scientificExponent >= -4, scientificExponent < 16 {
                if pointPosition <= 0 {
                    var prefix: [UInt8] = [UInt8(ascii: "0"), UInt8(ascii: ".")]
                    prefix.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -pointPosition))
                    out.insert(contentsOf: prefix, at: mark)
                } else if pointPosition >= digitCount {
                    out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: pointPosition - digitCount))
                    out.append(UInt8(ascii: "."))
                    out.append(UInt8(ascii: "0"))
                } else {
                    out.insert(UInt8(ascii: "."), at: mark + pointPosition)
                }
            } else {
                if digitCount > 1 { out.insert(UInt8(ascii: "."), at: mark + 1) }
                out.append(UInt8(ascii: "e"))
                out.append(scientificExponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
                if scientificExponent.magnitude < 10 { out.append(UInt8(ascii: "0")) }
                appendUInt(scientificExponent.magnitude, to: &out)
            }
        }
    }
}
