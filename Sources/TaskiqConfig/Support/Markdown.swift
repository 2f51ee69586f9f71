/// Escaping and tables for generated Markdown (CommonMark with GitHub's tables, which DocC renders).
///
/// Text from declarations keeps its `code spans`; everything else that Markdown would read as
/// syntax (emphasis, links, HTML, a table's column bar) is backslash-escaped.
enum Markdown {
    /// Characters escaped outside code spans: each is ASCII punctuation, so `\c` always means `c`.
    private static let special: Set<Character> = ["\\", "*", "_", "<", ">", "[", "]", "|", "~", "&", "#", "!", "@"]

    /// Prose as Markdown: backticked spans kept as code, other syntax escaped, lines joined.
    /// - Parameters:
    ///   - text: A sentence from a declaration, such as an option's description.
    ///   - inTable: Whether it goes into a table cell, where a `|` in a code span must be escaped too.
    static func text(_ text: String, inTable: Bool = false) -> String {
        let backticks = text.filter { $0 == "`" }.count
        var out = ""
        var inCode = false
        for character in text {
            switch character {
            case "\n", "\r":
                out.append(" ")
            case "`" where backticks % 2 == 0:
                inCode.toggle()
                out.append(character)
            case "`":
                out += "\\`"
            case "|" where inCode && inTable:
                out += "\\|"
            case _ where !inCode && special.contains(character):
                out += "\\" + String(character)
            default:
                out.append(character)
            }
        }
        return out
    }

    /// A literal as a code span, such as a default value or a key.
    /// - Parameters:
    ///   - literal: The text shown verbatim.
    ///   - inTable: Whether it goes into a table cell, where `|` must be escaped.
    static func code(_ literal: String, inTable: Bool = true) -> String {
        var body = literal.replacingNewlines()
        if inTable { body = body.replacing("|", with: "\\|") }
        return body.contains("`") ? "`` \(body) ``" : "`\(body)`"
    }

    /// A table with a header row; cells must already be Markdown (see ``text(_:inTable:)`` and ``code(_:inTable:)``).
    /// - Parameters:
    ///   - header: The column titles.
    ///   - rows: The cells of each row, as many as the header has.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        var lines = [
            "| " + header.joined(separator: " | ") + " |",
            "|" + header.map { _ in " --- |" }.joined(),
        ]
        for row in rows { lines.append("| " + row.joined(separator: " | ") + " |") }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension String {
    fileprivate func replacingNewlines() -> String {
        String(map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }
}
