import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Kills `pid` and every process below it with SIGKILL, the parent first so that it cannot
/// start replacements.
///
/// For peers that fork workers of their own (`taskiq worker --workers 1`): killing only the
/// process a test started leaves its children running after the test.
package func killProcessTree(_ pid: pid_t) {
    var found: [pid_t] = []
    var frontier = [pid]
    while let next = frontier.popLast(), found.count < 1024 {
        found.append(next)
        frontier += childProcesses(of: next)
    }
    for process in found { kill(process, SIGKILL) }
}

/// The children of `pid`, from `/proc/<pid>/task/<tid>/children` of each of its threads.
package func childProcesses(of pid: pid_t) -> [pid_t] {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
    return tasks.flatMap { task -> [pid_t] in
        let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/children", encoding: .utf8)) ?? ""
        return text.split(separator: " ").compactMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}
