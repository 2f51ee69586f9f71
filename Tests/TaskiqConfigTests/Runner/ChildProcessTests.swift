import Foundation
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ChildProcessTests {
    /// A worker gets descriptors 0, 1 and 2 only: a pipe the supervisor's process holds
    /// (opened without close-on-exec, as `pipe()` does) does not stay open in it, nor does any
    /// other pipe or socket. The child's dynamic loader may briefly hold a library file as
    /// descriptor 3 right after `exec`, so files are allowed; what a worker must never inherit
    /// is a pipe or socket (another child's pipe, a broker connection).
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
        let directory = "/proc/\(child.pid)/fd"
        let inherited = try FileManager.default.contentsOfDirectory(atPath: directory).compactMap { name -> String? in
            guard let descriptor = Int32(name), descriptor > 2,
                let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(directory)/\(name)")
            else { return nil }
            return target.hasPrefix("/") ? nil : "\(descriptor) → \(target)"
        }
        #expect(inherited.isEmpty, "the worker holds \(inherited)")
        child.signal(SIGKILL)
        _ = try await exited.first(1, timeout: 30)
    }
}
