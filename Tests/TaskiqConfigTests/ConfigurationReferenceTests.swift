import Foundation
import Taskiq
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig

/// The generated configuration reference (`taskiq-run schema --format markdown`): current, complete, escaped.
@Suite struct ConfigurationReferenceTests {
    @Test func theCommittedReferenceIsFresh() throws {
        let file = TestPaths.packageRoot.appendingPathComponent(ComponentRegistry.referencePath)
        let committed = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let generated = ComponentRegistry.standard.configurationReference().split(separator: "\n", omittingEmptySubsequences: false)
        let isFresh = committed == generated
        // The first differing line, rather than two 36 kB strings.
        let line =
            zip(committed, generated).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            ?? min(committed.count, generated.count)
        #expect(
            isFresh,
            """
            \(ComponentRegistry.referencePath) is stale from line \(line + 1) \
            (\(generated.indices.contains(line) ? generated[line] : "end of file")); regenerate it from the package root with:
              \(ComponentRegistry.referenceCommand)
            """)
    }

    /// Every registered type, a user's included, has its heading under its kind and a row per
    /// option whose default cell shows the declared default.
    @Test func everyOptionOfEveryComponentAppearsWithItsDefault() throws {
        let registry = ComponentRegistryTests.userRegistry
        let reference = registry.configurationReference()
        for kind in ComponentKind.allCases {
            for type in registry.types(of: kind) {
                let section = try #require(Self.section(of: type, in: reference), "\(kind.rawValue) \(type.name)")
                var options = type.options
                if kind == .deadLetterQueue { options.append(DeadLetterSettings.failedTasksOption) }
                for option in options {
                    let cells = Self.cells(of: option.name, in: section)
                    #expect(cells?[2] == Self.defaultCell(option), "\(kind.rawValue) \(type.name) \(option.name): \(cells ?? [])")
                    #expect(cells?[4].isEmpty == false, "\(kind.rawValue) \(type.name) \(option.name) has a description")
                }
            }
        }
        let countingType = try #require(registry.type(.middleware, named: "counting"))
        let counting = try #require(Self.section(of: countingType, in: reference))
        #expect(Self.cells(of: "step", in: counting) == ["`step`", "integer", "`1`", "1 to 10", "How much each message counts."])
    }

    @Test func everyTopLevelKeyAndSettingIsListed() {
        let reference = ComponentRegistry.standard.configurationReference()
        for key in TaskiqConfiguration.topLevelKeys {
            #expect(reference.contains("\n| `\(key)` | "), "\(key)")
        }
        let settings = WorkerSettings.options + WorkerSettings.limitOptions + SchedulerSettings.options + MetricsSettings.options
        for option in settings {
            #expect(Self.cells(of: option.name, in: reference)?[2] == Self.defaultCell(option), "\(option.name)")
        }
        #expect(reference.hasPrefix("# Configuration reference\n\n"))
        #expect(reference.contains(ComponentRegistry.referenceCommand))
    }

    @Test(arguments: [
        ("a | b", "a \\| b"),
        ("<queue_name>:dead", "\\<queue\\_name\\>:dead"),
        ("* within a segment, ** across", "\\* within a segment, \\*\\* across"),
        ("`x|y` and [link](u)", "`x\\|y` and \\[link\\](u)"),
        ("one ` backtick", "one \\` backtick"),
        ("two\nlines", "two lines"),
    ])
    func cellsEscapeMarkdownOutsideCodeSpans(text: String, escaped: String) {
        #expect(Markdown.text(text, inTable: true) == escaped)
    }

    /// A `|` in a user's description or default cannot add a column to the table.
    @Test func aPipeInADeclarationStaysInsideItsCell() throws {
        var registry = ComponentRegistry()
        registry.register(
            middleware: "piped", summary: "Splits on | characters.",
            options: [
                .string("separator", default: "|", description: "Joins fields: a|b, or `a|b` in code.")
            ]
        ) { _ in SimpleRetryMiddleware() }
        let reference = registry.configurationReference()
        let pipedType = try #require(registry.type(.middleware, named: "piped"))
        let section = try #require(Self.section(of: pipedType, in: reference))
        #expect(
            Self.cells(of: "separator", in: section) == [
                "`separator`", "string", "`\"\\|\"`", "",
                "Joins fields: a\\|b, or `a\\|b` in code.",
            ])
        #expect(section.contains("Splits on \\| characters."))
    }

    @Test func theSchemaCommandPrintsJSONUnlessAskedForMarkdown() throws {
        #expect(try SchemaCommand.parse([]).format == .json)
        #expect(try SchemaCommand.parse(["--format", "markdown"]).format == .markdown)
        let error = #expect(throws: CommandLineError.self) { try SchemaCommand.parse(["--format", "html"]) }
        #expect(error?.message == "'--format' expects json or markdown, found 'html'")
    }

    // MARK: Reading the article

    /// The text under a type's `####` heading within its kind's `###` section, up to the next heading.
    static func section(of type: ComponentType, in reference: String) -> String? {
        guard let kind = reference.range(of: "\n### \(type.kind.referenceTitle)\n"),
            let heading = reference.range(of: "\n#### `\(type.name)`\n", range: kind.upperBound..<reference.endIndex)
        else { return nil }
        let rest = reference[heading.upperBound...]
        let end = rest.range(of: "\n###")?.lowerBound ?? rest.endIndex
        return String(rest[..<end])
    }

    /// The cells of the table row whose key is `key`, with the escaped `|` kept inside cells.
    static func cells(of key: String, in text: String) -> [String]? {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("| `\(key)` |") }) else { return nil }
        var cells: [String] = []
        var cell = ""
        var previous: Character = " "
        for character in line.dropFirst().dropLast() {
            if character == "|" && previous != "\\" {
                cells.append(cell.trimmingCharacters(in: .whitespaces))
                cell = ""
            } else {
                cell.append(character)
            }
            previous = character
        }
        cells.append(cell.trimmingCharacters(in: .whitespaces))
        return cells
    }

    /// The default as the reference shows it: `*required*`, `*none*`, or the JSON literal in code (`5` for `5.0`).
    static func defaultCell(_ option: ComponentOption) -> String {
        if option.isRequired { return "*required*" }
        if option.defaultValue.isNull { return "*none*" }
        var literal = option.defaultValue.description
        if case .double(let value) = option.defaultValue, value == value.rounded() { literal = String(Int(value)) }
        return "`" + literal.replacing("|", with: "\\|") + "`"
    }
}
