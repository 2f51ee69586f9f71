/// Reads the Prometheus text format back into families: what the supervisor does with the
/// expositions of its worker processes before it sums them.
///
/// Lenient on purpose (it reads what ``PrometheusTextEncoder`` wrote): unknown comment lines and
/// lines it cannot read are skipped; a sample's family is the last `# TYPE` line that names a
/// prefix of it.
package enum PrometheusTextParser {
    /// The families of `text`, in the order their `# TYPE` lines appear.
    package static func parse(_ text: String) -> [MetricFamilySnapshot] {
        var families: [MetricFamilySnapshot] = []
        var helps: [String: String] = [:]
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = String(rawLine)
            if line.hasPrefix("# HELP ") {
                let rest = line.dropFirst(7)
                let name = rest.prefix { $0 != " " }
                helps[String(name)] = unescapeHelp(String(rest.dropFirst(name.count + 1)))
                continue
            }
            if line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ")
                guard parts.count == 2 else { continue }
                let type = MetricType(rawValue: String(parts[1])) ?? .gauge
                var name = String(parts[0])
                if type == .counter, name.hasSuffix("_total") { name.removeLast(6) }
                families.append(MetricFamilySnapshot(name: name, help: helps[String(parts[0])] ?? "", type: type, samples: []))
                continue
            }
            if line.hasPrefix("#") { continue }
            guard let (fullName, labels, value) = sample(line), !families.isEmpty,
                fullName.hasPrefix(families[families.count - 1].name)
            else { continue }
            let suffix = String(fullName.dropFirst(families[families.count - 1].name.count))
            families[families.count - 1].samples.append(MetricSample(suffix: suffix, labels: labels, value: value))
        }
        return families
    }

    /// `name{a="b"} 1.0` as its parts, or `nil`.
    static func sample(_ line: String) -> (String, [MetricLabel], Double)? {
        let scalars = Array(line.unicodeScalars)
        var index = 0
        var name = ""
        while index < scalars.count, scalars[index] != "{", scalars[index] != " " {
            name.unicodeScalars.append(scalars[index])
            index += 1
        }
        var labels: [MetricLabel] = []
        if index < scalars.count, scalars[index] == "{" {
            index += 1
            while index < scalars.count, scalars[index] != "}" {
                var labelName = ""
                while index < scalars.count, scalars[index] != "=" {
                    if scalars[index] != "," && scalars[index] != " " { labelName.unicodeScalars.append(scalars[index]) }
                    index += 1
                }
                index += 1  // =
                guard index < scalars.count, scalars[index] == "\"" else { return nil }
                index += 1
                var value = ""
                while index < scalars.count, scalars[index] != "\"" {
                    if scalars[index] == "\\", index + 1 < scalars.count {
                        index += 1
                        value.unicodeScalars.append(scalars[index] == "n" ? "\n" : scalars[index])
                    } else {
                        value.unicodeScalars.append(scalars[index])
                    }
                    index += 1
                }
                index += 1  // closing quote
                labels.append(MetricLabel(labelName, value))
                while index < scalars.count, scalars[index] == "," || scalars[index] == " " { index += 1 }
            }
            index += 1  // }
        }
        var rest = ""
        while index < scalars.count {
            rest.unicodeScalars.append(scalars[index])
            index += 1
        }
        guard let valueText = rest.split(separator: " ").first, !name.isEmpty else { return nil }
        let value: Double? =
            switch valueText {
            case "+Inf": .infinity
            case "-Inf": -.infinity
            case "NaN": .nan
            default: Double(valueText)
            }
        return value.map { (name, labels, $0) }
    }

    private static func unescapeHelp(_ text: String) -> String {
        guard text.contains("\\") else { return text }
        var result = ""
        var escaping = false
        for scalar in text.unicodeScalars {
            if escaping {
                result.unicodeScalars.append(scalar == "n" ? "\n" : scalar)
                escaping = false
            } else if scalar == "\\" {
                escaping = true
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
