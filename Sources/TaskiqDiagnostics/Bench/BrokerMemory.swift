import Taskiq
import TaskiqRedis

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where depth mode reads the broker server's memory: Redis's own `used_memory`, or the resident
/// set of the server's process on this machine (`--broker-pid`, any broker).
struct BrokerMemory: Sendable {
    private enum Source: Sendable {
        case redis(RedisClient)
        case process(Int)
    }

    private let source: Source

    /// A process's resident set when `pid` is given (``BenchRun/validate()`` checked it can be
    /// read), else the Redis server at `redisURL`.
    /// - Throws: ``/Taskiq/TaskiqError`` when there is neither, or the Redis URL is malformed.
    init(pid: Int?, redisURL: String?) throws {
        if let pid {
            source = .process(pid)
        } else if let redisURL {
            source = .redis(RedisClient(configuration: try RedisConfiguration(url: redisURL)))
        } else {
            throw TaskiqError(.sendFailed, "depth mode needs a Redis broker or '--broker-pid'")
        }
    }

    /// What is measured, for the report's notes.
    var what: String {
        switch source {
        case .redis: "the server's used_memory (INFO memory)"
        case .process(let pid): "the resident memory (VmRSS) of the server's process \(pid)"
        }
    }

    /// The memory now, in bytes.
    func bytes() async throws -> Int {
        switch source {
        case .redis(let client): return try await Self.usedMemory(client)
        case .process(let pid):
            guard let bytes = Self.residentBytes(of: pid) else {
                throw TaskiqError(.sendFailed, "--broker-pid \(pid): the process ended during the run (/proc/\(pid)/status)")
            }
            return bytes
        }
    }

    /// Closes the Redis connection, if any.
    func close() {
        if case .redis(let client) = source { client.close() }
    }

    /// `used_memory` from `INFO memory`, in bytes.
    static func usedMemory(_ client: RedisClient) async throws -> Int {
        let info = try await client.send(["INFO", "memory"]).string ?? ""
        for line in info.split(whereSeparator: \.isNewline) where line.hasPrefix("used_memory:") {
            if let bytes = Int(line.dropFirst("used_memory:".count)) { return bytes }
        }
        throw TaskiqError(.sendFailed, "INFO memory from \(client.configuration.address) has no used_memory line")
    }

    /// `VmRSS` of process `pid` from `/proc`, in bytes; `nil` when there is no such process here,
    /// or its status has no `VmRSS` line it can read (a kernel thread, a zombie).
    static func residentBytes(of pid: Int) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            guard let kib = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return nil }
            let (bytes, overflow) = kib.multipliedReportingOverflow(by: 1024)
            return overflow ? nil : bytes
        }
        return nil
    }
}
