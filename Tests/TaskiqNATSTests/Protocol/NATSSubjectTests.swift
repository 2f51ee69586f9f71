import TaskiqNATS
import Testing

@Suite struct NATSSubjectTests {
    @Test(arguments: [
        "taskiq_tasks",
        "$JS.API.STREAM.CREATE.taskiq_jetstream",
        "$JS.ACK.taskiq_jetstream.taskiq_durable.1.1.1.1796393326933400598.0",
        "_INBOX.7Yd2bYI5yIcO8Xyqm5O6Ie",
        "a*b.c>d",
        "ünïcode.subject",
    ])
    func publishSubjectsPass(_ subject: String) throws {
        try NATSSubject.validate(subject)
        try NATSSubject.validate(subject, wildcards: true)
    }

    @Test(arguments: ["_INBOX.abc.*", "a.>", ">", "*", "*.*.>", "a.*.c"])
    func wildcardsPassOnlyInSubscriptions(_ subject: String) throws {
        try NATSSubject.validate(subject, wildcards: true)
        let error = #expect(throws: NATSProtocolError.self) { try NATSSubject.validate(subject) }
        #expect(error?.code == .invalidSubject)
    }

    @Test(arguments: ["", ".", "a..b", ".a", "a.", "a b", "a\tb", "a\r\nb", "a\u{0}b", "a\u{7F}", ">.a", "a.>.b", "a.b >"])
    func badSubjectsAreRefused(_ subject: String) {
        for wildcards in [false, true] {
            let error = #expect(throws: NATSProtocolError.self, "\(subject.debugDescription)") {
                try NATSSubject.validate(subject, wildcards: wildcards)
            }
            #expect(error?.code == .invalidSubject)
            #expect(error?.message.isEmpty == false)
        }
    }

    @Test func queueGroups() throws {
        try NATSSubject.validateQueueGroup("taskiq_workers")
        try NATSSubject.validateQueueGroup("a.b*")
        for bad in ["", "two words", "tab\there", "new\nline"] {
            let error = #expect(throws: NATSProtocolError.self) { try NATSSubject.validateQueueGroup(bad) }
            #expect(error?.code == .invalidSubject)
        }
    }
}
