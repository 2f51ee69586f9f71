import Taskiq
import Testing

@testable import TaskiqConfig

@Suite struct ModulePatternTests {
    @Test(arguments: [
        ("examples.*", "examples.math", true),
        ("examples.*", "examples.math.fast", false),
        ("examples.**", "examples.math.fast", true),
        ("examples.*", "examples", false),
        ("exam?les", "examples", true),
        ("exam?les", "exam.les", false),
        ("*", "billing", true),
        ("*", "billing.invoices", false),
        ("**", "billing.invoices", true),
        ("billing.*.jobs", "billing.invoices.jobs", true),
        ("*.jobs", "billing.jobs", true),
        ("billing", "billing", true),
        ("billing", "billings", false),
    ])
    func globMatchesDottedNames(pattern: String, name: String, matches: Bool) {
        #expect(ModulePattern(pattern).matches(name) == matches)
    }

    static let modules = [
        TaskModule("examples", tasks: [TaskDefinition("examples.one") { () async throws -> Int in 1 }]),
        TaskModule("billing.invoices", tasks: [TaskDefinition("billing.invoices.send") { () async throws -> Int in 1 }]),
        TaskModule("billing.reports", tasks: []),
        TaskModule("mail", tasks: []),
    ]

    static func selected(_ tasks: String) throws -> [String] {
        let document = ConfigDocument(file: "t.json", root: ["broker": ["type": "inmemory"], "tasks": try JSONValue(parsing: tasks)])
        return try TaskiqConfiguration(document: document, modules: modules).modules
    }

    @Test func discoveryMatchesModuleOrTaskNames() throws {
        #expect(try Self.selected(#"{"discover": "examples.*"}"#) == ["examples"])
        #expect(try Self.selected(#"{"discover": "billing.*"}"#) == ["billing.invoices", "billing.reports"])
        #expect(try Self.selected(#"{"discover": ["mail", "billing.inv*"]}"#) == ["mail", "billing.invoices"])
        #expect(try Self.selected(#"{"discover": "**"}"#) == ["examples", "billing.invoices", "billing.reports", "mail"])
    }

    @Test func listedModulesComeFirstWithoutDuplicates() throws {
        #expect(try Self.selected(#"{"modules": ["mail"], "discover": "*"}"#) == ["mail", "examples"])
    }

    @Test func withoutATasksSectionEveryModuleLoads() throws {
        let document = ConfigDocument(file: "t.json", root: ["broker": ["type": "inmemory"]])
        #expect(try TaskiqConfiguration(document: document, modules: Self.modules).modules.count == 4)
    }
}
