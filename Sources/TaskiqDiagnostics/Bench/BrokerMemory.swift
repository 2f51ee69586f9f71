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

    /// A process's resident set when `pid` is given, else the Redis server at `redisURL`.
    /// - Throws: ``/Taskiq/TaskiqError`` when there is neither, or the process cannot be read.
    init(pid: Int?, redisURL: String?) throws {
        if let pid {
            source = .process(pid)
            _ = try Self.residentBytes(of: pid)
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
        case .redis(let client): try await Self.usedMemory(client)
        case .process(let pid): try Self.residentBytes(of: pid)
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

    /// `VmRSS` of process `pid` from `/proc`, in bytes.
    static func residentBytes(of pid: Int) throws -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else {
            throw TaskiqError(.sendFailed, "--broker-pid \(pid): cannot read /proc/\(pid)/status (no such process here?)")
        }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            if let kib = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) { return kib * 1024 }
        }
        throw TaskiqError(.sendFailed, "--broker-pid \(pid): /proc/\(pid)/status has no VmRSS line")
    }
}
