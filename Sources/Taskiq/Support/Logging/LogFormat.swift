/// A Python-logging-style format string (taskiq's `logs_format`), parsed once.
///
/// Supported placeholders:
/// - `%(asctime)s`: UTC time as `2026-11-25 13:14:46,123` (Python's default layout; Python
///   itself uses local time).
/// - `%(levelname)s`: `DEBUG`, `INFO`, `WARNING`, ... (`TRACE` and `NOTICE` for ours).
/// - `%(name)s`: the logger's label.
/// - `%(message)s`: the message.
/// - `%(process)d`: the process id.
/// - `%(<key>)s`: any metadata key, such as `%(task_id)s` and `%(task_name)s`.
/// - `%%`: a literal `%`.
///
/// A placeholder whose key is neither a known field nor present in the record's metadata
/// renders as an empty string. Python's `-` flag and width (`%(levelname)-8s`) and a
/// precision that truncates (`%(message).80s`) are honoured; the conversion character
/// (`s`, `d`, `r`, `f`, ...) is accepted but does not change the rendering.
/// Text that is not a well-formed placeholder is copied literally.
public struct LogFormat: Sendable, Equatable {
    enum Field: Sendable, Equatable {
        case asctime
        case levelname
        case name
        case message
        case process
        case metadata(String)
    }

    struct Placeholder: Sendable, Equatable {
        var field: Field
        var leftAligned = false
        var width = 0
        var precision: Int?
    }

    enum Segment: Sendable, Equatable {
        case literal(String)
        case placeholder(Placeholder)
    }

    /// The format string as given.
    public let pattern: String
    let segments: [Segment]

    /// Parses a format string.
    /// - Parameter pattern: A Python logging format, such as
    ///   `"[%(asctime)s][%(levelname)-7s] %(message)s"`.
    public init(_ pattern: String) {
        self.pattern = pattern
        self.segments = Self.parse(pattern)
    }

    /// Taskiq's default worker log format.
    public static let taskiqDefault = LogFormat("[%(asctime)s][%(name)s][%(levelname)-7s] %(message)s")

    func format(_ record: LogRecord) -> String {
        var line = ""
        for segment in segments {
            switch segment {
            case .literal(let text):
                line += text
            case .placeholder(let placeholder):
                let value: String
                switch placeholder.field {
                case .asctime: value = record.timestamp.asctime
                case .levelname: value = record.level.uppercaseName
                case .name: value = record.label
                case .message: value = record.message
                case .process: value = String(record.processID)
                case .metadata(let key): value = record.metadata[key] ?? ""
                }
                placeholder.append(value, to: &line)
            }
        }
        return line
    }

    private static func parse(_ pattern: String) -> [Segment] {
        var segments: [Segment] = []
        var literal = ""
        let scalars = Array(pattern.unicodeScalars)
        var index = 0
        func flushLiteral() {
            if !literal.isEmpty {
                segments.append(.literal(literal))
                literal = ""
            }
        }
        while index < scalars.count {
            let scalar = scalars[index]
            guard scalar == "%" else {
                literal.unicodeScalars.append(scalar)
                index += 1
                continue
            }
            if index + 1 < scalars.count, scalars[index + 1] == "%" {
                literal += "%"
                index += 2
                continue
            }
            if let (placeholder, next) = parsePlaceholder(scalars, from: index) {
                flushLiteral()
                segments.append(.placeholder(placeholder))
                index = next
            } else {
                literal += "%"
                index += 1
            }
        }
        flushLiteral()
        return segments
    }

    /// Parses `%(key)[-][width][.precision]conversion` starting at the `%`.
    private static func parsePlaceholder(_ scalars: [Unicode.Scalar], from start: Int) -> (Placeholder, Int)? {
        var index = start + 1
        guard index < scalars.count, scalars[index] == "(" else { return nil }
        index += 1
        var key = ""
        while index < scalars.count, scalars[index] != ")" {
            key.unicodeScalars.append(scalars[index])
            index += 1
        }
        guard index < scalars.count else { return nil }
        index += 1
        var placeholder = Placeholder(field: field(named: key))
        while index < scalars.count, "-+ #0".unicodeScalars.contains(scalars[index]) {
            if scalars[index] == "-" { placeholder.leftAligned = true }
            index += 1
        }
        placeholder.width = readNumber(scalars, &index) ?? 0
        if index < scalars.count, scalars[index] == "." {
            index += 1
            placeholder.precision = readNumber(scalars, &index) ?? 0
        }
        guard index < scalars.count, scalars[index].properties.isAlphabetic, scalars[index].isASCII else {
            return nil
        }
        return (placeholder, index + 1)
    }

    private static func readNumber(_ scalars: [Unicode.Scalar], _ index: inout Int) -> Int? {
        var value: Int?
        while index < scalars.count, let digit = Int(String(scalars[index])), scalars[index].isASCII {
            value = min((value ?? 0) * 10 + digit, 1_000)
            index += 1
        }
        return value
    }

    private static func field(named key: String) -> Field {
        switch key {
        case "asctime": .asctime
        case "levelname": .levelname
        case "name": .name
        case "message": .message
        case "process": .process
        default: .metadata(key)
        }
    }
}

extension LogFormat.Placeholder {
    func append(_ value: String, to line: inout String) {
        var value = value
        if let precision, value.count > precision {
            value = String(value.prefix(precision))
        }
        let padding = width - value.count
        if padding > 0, !leftAligned { line += String(repeating: " ", count: padding) }
        line += value
        if padding > 0, leftAligned { line += String(repeating: " ", count: padding) }
    }
}
