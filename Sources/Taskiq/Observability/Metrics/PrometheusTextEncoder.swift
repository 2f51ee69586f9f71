/// Writes metric families in the Prometheus text exposition format, version 0.0.4.
///
/// ```text
/// # HELP received_tasks_total Number of received tasks
/// # TYPE received_tasks_total counter
/// received_tasks_total{task_name="examples.add"} 3.0
/// ```
/// Numbers are written as Python's `prometheus_client` writes them (`3.0`, `0.005`, `+Inf`), so
/// dashboards that match `le="1.0"` keep working. Label values escape backslash, double quote and
/// newline; any other text, non-ASCII included, is written as it is (UTF-8).
public enum PrometheusTextEncoder {
    /// The `Content-Type` of the format.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The exposition of `families`, in the order given.
    public static func encode(_ families: [MetricFamilySnapshot]) -> String {
        var text = ""
        for family in families {
            // prometheus_client names a counter's HELP and TYPE after its `_total` series.
            let headerName = family.type == .counter ? family.name + "_total" : family.name
            text += "# HELP \(headerName) \(escapeHelp(family.help))\n"
            text += "# TYPE \(headerName) \(family.type.rawValue)\n"
            for sample in family.samples {
                text += family.name
                text += sample.suffix
                if !sample.labels.isEmpty {
                    text += "{"
                    for (index, label) in sample.labels.enumerated() {
                        if index > 0 { text += "," }
                        text += label.name
                        text += "=\""
                        text += escapeLabelValue(label.value)
                        text += "\""
                    }
                    text += "}"
                }
                text += " "
                text += number(sample.value)
                text += "\n"
            }
        }
        return text
    }

    /// A label value with `\`, `"` and newline escaped.
    public static func escapeLabelValue(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == 10 }) else { return value }
        var escaped = ""
        for character in value.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// HELP text with `\` and newline escaped.
    static func escapeHelp(_ help: String) -> String {
        var escaped = ""
        for character in help.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// A number the way Python's `floatToGoString` writes it: `1.0`, `0.005`, `+Inf`, `NaN`.
    public static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == .infinity { return "+Inf" }
        if value == -.infinity { return "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return "\(Int64(value)).0" }
        return "\(value)"
    }
}
