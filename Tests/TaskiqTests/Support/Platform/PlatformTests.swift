import Foundation
import Testing

@testable import Taskiq

/// The core's platform helpers: files opened, written, read, locked and truncated through
/// ``FileDescriptor``, paths asked about through ``FileSystem``, and errno text.
@Suite struct PlatformTests {
    static func temporaryPath() -> String {
        NSTemporaryDirectory() + "taskiq-platform-\(UInt64.random(in: 0...UInt64.max))"
    }

    @Test func aFileIsCreatedAppendedReadAndEmptied() throws {
        let path = Self.temporaryPath()
        defer { unlink(path) }
        let file = try FileDescriptor.open(path, [.readWrite, .append, .create])
        defer { file.close() }
        try file.lock(exclusive: true)
        for line in ["one\n", "two\n"] {
            #expect(Array(line.utf8).withUnsafeBytes { file.writeAll($0) } == nil)
        }
        try file.sync()
        #expect(try file.size() == 8)
        var buffer = [UInt8](repeating: 0, count: 16)
        let count = try buffer.withUnsafeMutableBytes { try file.read(into: $0, at: 4) }
        #expect(Array(buffer[..<count]) == Array("two\n".utf8))
        try file.truncate()
        #expect(try file.size() == 0)
        file.unlock()
    }

    @Test func anExclusiveCreateOfAnExistingFileSaysItExists() throws {
        let path = Self.temporaryPath()
        defer { unlink(path) }
        try FileDescriptor.open(path, [.writeOnly, .create, .exclusive]).close()
        let error = #expect(throws: SystemError.self) { try FileDescriptor.open(path, [.writeOnly, .create, .exclusive]) }
        #expect(error?.isFileExists == true)
        let missing = #expect(throws: SystemError.self) { try FileDescriptor.open(path + "-missing", .readOnly) }
        #expect(missing?.isNoSuchFile == true)
        #expect(missing?.description == "No such file or directory")
        #expect(missing?.detailedDescription == "No such file or directory (ENOENT)")
    }

    @Test func writingToAClosedDescriptorReportsTheErrorInsteadOfTrapping() {
        let closed = FileDescriptor(rawValue: 1_000_000)
        #expect(Array("x".utf8).withUnsafeBytes { closed.writeAll($0) }?.code == SystemError(code: EBADF).code)
    }

    @Test func pathsAreAskedAbout() throws {
        #expect(try FileSystem.kind(of: NSTemporaryDirectory()) == .directory)
        let path = Self.temporaryPath()
        defer { unlink(path) }
        try FileDescriptor.open(path, [.writeOnly, .create]).close()
        #expect(try FileSystem.kind(of: path) == .regularFile)
        #expect(try FileSystem.kind(of: "/dev/null") == .other)
        try FileSystem.checkAccess(path, read: true, write: true)
        let error = #expect(throws: SystemError.self) { try FileSystem.kind(of: path + "-missing") }
        #expect(error?.isNoSuchFile == true)
    }

    @Test func theWallClockAgreesWithFoundation() {
        let (seconds, nanoseconds) = WallClock.now()
        #expect(abs(Double(seconds) - Date().timeIntervalSince1970) < 5)
        #expect((0..<1_000_000_000).contains(nanoseconds))
    }

    @Test func signalsHaveTheirConventionalNames() {
        #expect(ProcessSignal.name(ProcessSignal.kill) == "SIGKILL")
        #expect(ProcessSignal.name(ProcessSignal.terminate) == "SIGTERM")
        #expect(ProcessSignal.name(200) == "signal 200")
    }
}
