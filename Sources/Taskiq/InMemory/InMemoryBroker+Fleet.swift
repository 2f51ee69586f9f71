#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension InMemoryBroker: FleetReporting {
    /// This process alone: the in-memory broker runs tasks in the process that kicks them.
    public func fleet() async throws -> Fleet {
        let me = WorkerAnnouncement(
            host: ProcessInfo.processInfo.hostName, pid: Int(ProcessInfo.processInfo.processIdentifier),
            tasks: components.registry.all.map(\.name))
        return Fleet(
            queue: "the in-memory broker (tasks run in the process that kicks them)",
            members: [FleetMember(name: "this process", announcement: me)])
    }
}
