import Testing

@testable import TaskiqConfig

@Suite struct ClosestMatchTests {
    @Test(arguments: [
        ("", "", 0),
        ("", "abc", 3),
        ("abc", "", 3),
        ("workers", "workers", 0),
        ("wrokers", "workers", 1),  // adjacent swap counts once
        ("worker", "workers", 1),
        ("workerss", "workers", 1),
        ("wirkers", "workers", 1),
        ("kitten", "sitting", 3),
        ("ca", "abc", 3),  // optimal string alignment: no edit of a swapped pair
        ("café", "cafe", 1),
    ])
    func editDistanceCountsEdits(source: String, target: String, expected: Int) {
        #expect(editDistance(source, target) == expected)
        #expect(editDistance(target, source) == expected)
    }

    @Test(arguments: [
        ("wrokers", ["config", "workers", "wait"], "workers" as String?),
        ("WORKERS", ["workers"], "workers"),
        ("confg", ["config", "workers"], "config"),
        ("wrker", ["worker", "check", "tasks", "kick"], "worker"),
        ("kik", ["worker", "check", "tasks", "kick"], "kick"),
        ("zzz", ["worker", "check"], nil),
        ("x", [], nil),
        ("tsk", ["task", "tasks"], "task"),  // a tie goes to the earlier candidate
    ])
    func closestMatchSuggestsOnlyNearNames(name: String, candidates: [String], expected: String?) {
        #expect(closestMatch(to: name, in: candidates) == expected)
    }
}
