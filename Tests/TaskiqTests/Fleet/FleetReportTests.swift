import Testing

@testable import Taskiq

/// What `check --fleet` makes of a queue's consumers: Swift workers announce their tasks, Python
/// taskiq workers announce nothing and drop tasks they do not know.
@Suite struct FleetReportTests {
    let swift = WorkerAnnouncement(host: "web-1", pid: 412, tasks: ["b.two", "a.one"])

    @Test func announcementsRoundTripAndOldLeasesStillRead() throws {
        #expect(swift.json == #"{"runtime":"taskiq-swift","host":"web-1","pid":412,"tasks":["a.one","b.two"]}"#)
        #expect(WorkerAnnouncement(parsing: swift.json) == swift)
        // Leases written before announcements: "host pid N".
        #expect(WorkerAnnouncement(parsing: "web-2 pid 77") == WorkerAnnouncement(host: "web-2", pid: 77, tasks: nil))
        for garbage in ["", "pid", "{}", #"{"runtime":1}"#, "web pid x", "[1,2]", "\u{0}"] {
            #expect(WorkerAnnouncement(parsing: garbage) == nil, "\(garbage)")
        }
    }

    @Test func aSilentActiveConsumerIsWarnedAboutWithOurTasks() {
        let fleet = Fleet(
            queue: "stream 'taskiq', group 'taskiq'",
            members: [
                FleetMember(name: "swift-1", announcement: swift, idle: .milliseconds(200), pending: 3),
                FleetMember(name: "5f2a", announcement: nil, idle: .seconds(2), pending: 0),
                FleetMember(name: "gone", announcement: nil, idle: .seconds(3600), pending: 0),
            ])
        let report = FleetReport(fleet, tasks: ["a.one", "b.two"])
        #expect(
            report.lines == [
                "swift-1: taskiq-swift on web-1, pid 412, 2 tasks, all of this configuration's (idle 0.2s, 3 pending)",
                "5f2a: announces nothing (a Python taskiq worker?) (idle 2.0s, 0 pending)",
                "gone: announces nothing (a Python taskiq worker?) (idle 3600s, 0 pending)",
            ])
        #expect(
            report.warnings == [
                "consumer '5f2a' of stream 'taskiq', group 'taskiq' announces nothing, as Python taskiq workers do; a Python "
                    + "taskiq worker acknowledges and drops a task it does not know, so any of this configuration's 2 tasks it "
                    + "takes may be lost unless it runs them too: a.one, b.two"
            ], "an idle consumer (a worker that exited long ago) is listed, not warned about")
    }

    @Test func aSwiftWorkerMissingTasksIsWarnedAbout() {
        let old = WorkerAnnouncement(host: "web-3", pid: 9, tasks: ["a.one"])
        let unknown = WorkerAnnouncement(host: "web-4", pid: 10, tasks: nil)
        let fleet = Fleet(
            queue: "q",
            members: [
                FleetMember(name: "old", announcement: old),
                FleetMember(name: "legacy", announcement: unknown),
            ])
        let report = FleetReport(fleet, tasks: ["a.one", "b.two", "c.three"])
        #expect(
            report.lines == [
                "old: taskiq-swift on web-3, pid 9, 1 task, 2 of this configuration's missing",
                "legacy: taskiq-swift on web-4, pid 10, tasks not announced",
            ])
        #expect(
            report.warnings == [
                "consumer 'old' of q (taskiq-swift on web-3, pid 9) does not run 2 of this "
                    + "configuration's tasks and dead-letters them when it takes them: b.two, c.three"
            ])
    }

    @Test func namesFromTheServerCannotWriteControlCharacters() {
        let hostile = WorkerAnnouncement(runtime: "x\u{1B}[2J", host: "h\nost", pid: 1, tasks: [])
        let fleet = Fleet(
            queue: "q",
            members: [
                FleetMember(name: "evil\u{1B}]0;pwned\u{7}\r\n", announcement: nil),
                FleetMember(name: "w\u{202E}", announcement: hostile),
            ])
        let report = FleetReport(fleet, tasks: ["a"])
        for text in report.lines + report.warnings {
            #expect(!text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0.value == 0x202E }, "\(text)")
        }
        #expect(report.lines.first == #"evil\u{1b}]0;pwned\u{7}\u{d}\u{a}: announces nothing (a Python taskiq worker?)"#)
    }

    @Test func noConsumersIsSaidPlainly() {
        let report = FleetReport(Fleet(queue: "q", members: []), tasks: ["a"])
        #expect(report.lines == ["no consumers yet"])
        #expect(report.warnings.isEmpty)
    }
}
