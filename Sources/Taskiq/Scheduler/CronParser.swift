/// Parses the text of a ``CronExpression`` into bit sets, one field at a time.
struct CronParser {
    struct Fields {
        var minutes: UInt64 = 0
        var hours: UInt64 = 0
        var daysOfMonth: UInt64 = 0
        var months: UInt64 = 0
        var daysOfWeek: UInt64 = 0
        var dayOfMonthRestricted = false
        var dayOfWeekRestricted = false
    }

    private struct FieldSpec {
        let name: String
        let range: ClosedRange<Int>
        let names: [String]
        /// The first name's value (1 for months, 0 for weekdays).
        let namesStart: Int
    }

    private static let specs = [
        FieldSpec(name: "minute", range: 0...59, names: [], namesStart: 0),
        FieldSpec(name: "hour", range: 0...23, names: [], namesStart: 0),
        FieldSpec(name: "day-of-month", range: 1...31, names: [], namesStart: 0),
        FieldSpec(
            name: "month", range: 1...12,
            names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
            namesStart: 1),
        // 7 is Sunday too; it is folded onto 0 after parsing.
        FieldSpec(
            name: "day-of-week", range: 0...7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
            namesStart: 0),
    ]

    private static let aliases: [String: String] = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
        "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]

    let expression: String

    mutating func parse() throws(CronExpressionError) -> Fields {
        let trimmed = expression.trimmingASCIIWhitespace()
        var text = trimmed
        if trimmed.hasPrefix("@") {
            guard let expanded = Self.aliases[trimmed.lowercased()] else {
                let known = Self.aliases.keys.sorted().joined(separator: ", ")
                throw error(.fieldCount, field: nil, token: trimmed, "unknown alias '\(trimmed)' (expected one of \(known))")
            }
            text = expanded
        }
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard parts.count == 5 else {
            throw error(
                .fieldCount, field: nil, token: trimmed,
                """
                expected 5 fields (minute hour day-of-month month day-of-week) but found \(parts.count)
                """)
        }
        var sets: [UInt64] = []
        for (spec, part) in zip(Self.specs, parts) {
            sets.append(try parseField(part, spec))
        }
        var fields = Fields()
        fields.minutes = sets[0]
        fields.hours = sets[1]
        fields.daysOfMonth = sets[2]
        fields.months = sets[3]
        fields.daysOfWeek = (sets[4] | (sets[4] >> 7)) & 0x7F
        fields.dayOfMonthRestricted = !parts[2].hasPrefix("*")
        fields.dayOfWeekRestricted = !parts[4].hasPrefix("*")
        return fields
    }

    private func parseField(_ text: String, _ spec: FieldSpec) throws(CronExpressionError) -> UInt64 {
        var set: UInt64 = 0
        for item in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            set |= try parseItem(item, spec)
        }
        return set
    }

    private func parseItem(_ item: String, _ spec: FieldSpec) throws(CronExpressionError) -> UInt64 {
        guard !item.isEmpty else {
            throw error(.invalidToken, field: spec.name, token: item, "empty list item in '\(expression)'")
        }
        let slash = item.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let base = slash[0]
        var step = 1
        if slash.count == 2 {
            guard let value = Int(slash[1]), slash[1].allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw error(.invalidStep, field: spec.name, token: item, "step '\(slash[1])' is not a number")
            }
            guard value >= 1 else {
                throw error(.invalidStep, field: spec.name, token: item, "step \(value) must be at least 1")
            }
            step = value
        }
        var low: Int
        var high: Int
        if base == "*" {
            low = spec.range.lowerBound
            high = spec.range.upperBound
            if spec.name == "day-of-week" { high = 6 }
        } else if let dash = base.firstIndex(of: "-"), dash != base.startIndex {
            low = try value(String(base[..<dash]), item, spec)
            high = try value(String(base[base.index(after: dash)...]), item, spec)
            guard low <= high else {
                throw error(
                    .outOfRange, field: spec.name, token: item,
                    "range \(low)-\(high) is reversed (the start must not exceed the end)")
            }
        } else {
            low = try value(base, item, spec)
            // `a/n` runs from a to the field's maximum, as in cronie and croniter.
            high = slash.count == 2 ? spec.range.upperBound : low
        }
        var set: UInt64 = 0
        for v in stride(from: low, through: high, by: step) { set |= 1 << UInt64(v) }
        return set
    }

    private func value(_ text: String, _ item: String, _ spec: FieldSpec) throws(CronExpressionError) -> Int {
        if let number = Int(text), text.allSatisfy({ $0.isASCII && $0.isNumber }) {
            guard spec.range.contains(number) else {
                throw error(
                    .outOfRange, field: spec.name, token: item,
                    "value \(number) is out of range \(spec.range.lowerBound)-\(spec.range.upperBound)")
            }
            return number
        }
        if let index = spec.names.firstIndex(of: text.uppercased()) {
            return index + spec.namesStart
        }
        let expected =
            spec.names.isEmpty
            ? "a number \(spec.range.lowerBound)-\(spec.range.upperBound)"
            : "a number \(spec.range.lowerBound)-\(spec.range.upperBound) or a name \(spec.names.first!)-\(spec.names.last!)"
        throw error(.invalidToken, field: spec.name, token: item, "'\(text)' is not \(expected)")
    }

    private func error(
        _ code: CronExpressionError.Code, field: String?, token: String,
        _ reason: String
    ) -> CronExpressionError {
        CronExpressionError(code: code, expression: expression, field: field, token: token, reason: reason)
    }
}
