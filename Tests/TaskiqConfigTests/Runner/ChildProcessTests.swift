import Foundation
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ChildProcessTests {
    /// A worker gets descriptors 0, 1 and 2 only: a pipe the supervisor's process holds
    /// (opened without close-on-exec, as `pipe()` does) does not stay open in it.
    @Test func aWorkerInheritsOnlyStandardDescriptors() async throws {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        defer {
            close(ends[0])
            close(ends[1])
        }
        let exited = EventStream<Void>()
        let child = try ChildProcess.spawn(index: 0, executable: "/bin/sleep", arguments: ["30"], environment: [:]) { _, _ in
            exited.send(())
        }
        defer { child.signal(SIGKILL) }
        let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(child.pid)/fd").compactMap { Int32($0) }
        #expect(Set(open).isSubset(of: [0, 1, 2]), "the worker holds \(open.sorted())")
        child.signal(SIGKILL)
        _ = try await exited.first(1, timeout: 30)
    }
}
