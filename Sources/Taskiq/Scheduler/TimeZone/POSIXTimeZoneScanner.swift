/// Reads the parts of a POSIX `TZ` string for ``POSIXTimeZoneRule``: names, offsets, dates and times.
struct POSIXTimeZoneScanner {
    /// Where and why the text did not parse.
    struct Failure: Error {
        var message: String
    }

    private let bytes: [UInt8]
    private var index = 0

    init(_ text: String) {
        bytes = Array(text.utf8)
    }

    var isAtEnd: Bool { index == bytes.count }

    /// Whether an offset (a sign or a digit) comes next.
    var peekOffsetStart: Bool {
        guard index < bytes.count else { return false }
        let byte = bytes[index]
        return byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || Self.isDigit(byte)
    }

    func failure(_ message: String) -> Failure {
        Failure(message: "\(message) at offset \(index)")
    }

    /// Consumes `character` if it comes next.
    mutating func take(_ character: Unicode.Scalar) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
        index += 1
        return true
    }

    /// A zone abbreviation: three or more letters, or `<` letters, digits, `+` or `-` `>`.
    mutating func skipName() throws(Failure) {
        let start = index
        if take("<") {
            while index < bytes.count, bytes[index] != UInt8(ascii: ">") {
                let byte = bytes[index]
                guard Self.isLetter(byte) || Self.isDigit(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") else {
                    throw failure("unexpected character in a quoted zone name")
                }
                index += 1
            }
            guard take(">") else { throw failure("a quoted zone name without its closing '>'") }
            guard index - start - 2 >= 3 else { throw failure("a zone name shorter than three characters") }
        } else {
            while index < bytes.count, Self.isLetter(bytes[index]) { index += 1 }
            guard index - start >= 3 else { throw failure("expected a zone name of three or more letters") }
        }
    }

    /// A POSIX offset, `[+-]hh[:mm[:ss]]` with hours 0...24, positive west of Greenwich; returned as
    /// seconds east of UTC.
    mutating func offset() throws(Failure) -> Int {
        -(try signedTime(maxHours: 24))
    }

    /// `date[/time]`, the time defaulting to 02:00.
    mutating func transition() throws(Failure) -> POSIXTimeZoneRule.Transition {
        let day: POSIXTimeZoneRule.Day
        if take("J") {
            let n = try number(maxDigits: 3)
            guard (1...365).contains(n) else { throw failure("a Julian day must be 1...365") }
            day = .julian(n)
        } else if take("M") {
            let month = try number(maxDigits: 2)
            guard take(".") else { throw failure("expected '.' after the month") }
            let week = try number(maxDigits: 1)
            guard take(".") else { throw failure("expected '.' after the week") }
            let weekday = try number(maxDigits: 1)
            guard (1...12).contains(month), (1...5).contains(week), (0...6).contains(weekday) else {
                throw failure("Mm.w.d needs a month 1...12, a week 1...5 and a weekday 0...6")
            }
            day = .monthWeekDay(month: month, week: week, weekday: weekday)
        } else {
            let n = try number(maxDigits: 3)
            guard (0...365).contains(n) else { throw failure("a day of the year must be 0...365") }
            day = .zeroBased(n)
        }
        let time = take("/") ? try signedTime(maxHours: 167) : 7200
        return POSIXTimeZoneRule.Transition(day: day, time: time)
    }

    /// `[+-]hh[:mm[:ss]]` in seconds, hours up to `maxHours`.
    private mutating func signedTime(maxHours: Int) throws(Failure) -> Int {
        var sign = 1
        if take("-") { sign = -1 } else { _ = take("+") }
        let hours = try number(maxDigits: 3)
        guard hours <= maxHours else { throw failure("hours above \(maxHours)") }
        var seconds = hours * 3600
        if take(":") {
            let minutes = try number(maxDigits: 2)
            guard minutes < 60 else { throw failure("minutes above 59") }
            seconds += minutes * 60
            if take(":") {
                let secs = try number(maxDigits: 2)
                guard secs < 60 else { throw failure("seconds above 59") }
                seconds += secs
            }
        }
        return sign * seconds
    }

    /// An unsigned decimal number of 1...`maxDigits` digits.
    private mutating func number(maxDigits: Int) throws(Failure) -> Int {
        var value = 0
        var digits = 0
        while index < bytes.count, Self.isDigit(bytes[index]), digits < maxDigits {
            value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            digits += 1
            index += 1
        }
        guard digits > 0 else { throw failure("expected a number") }
        if index < bytes.count, Self.isDigit(bytes[index]) { throw failure("a number with too many digits") }
        return value
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }
}
