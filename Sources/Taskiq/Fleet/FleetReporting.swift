/// A broker that can list the consumers of its queue, for `taskiq-run check --fleet`. Brokers
/// whose server does not name its consumers (ZeroMQ, Redis lists, NATS core) do not adopt it.
public protocol FleetReporting: Sendable {
    /// The consumers of this broker's queue as its server knows them, with what each announced.
    func fleet() async throws -> Fleet
}

/// The consumers of one queue.
public struct Fleet: Sendable, Hashable {
    /// Where the consumers read, such as `stream 'taskiq', group 'taskiq'`.
    public var queue: String
    /// The consumers, in the server's order.
    public var members: [FleetMember]

    /// Creates a listing.
    public init(queue: String, members: [FleetMember]) {
        self.queue = queue
        self.members = members
    }
}

/// One consumer of a queue.
public struct FleetMember: Sendable, Hashable {
    /// The consumer's name on the server.
    public var name: String
    /// What it announced about itself; `nil` when it announces nothing (Python taskiq workers).
    public var announcement: WorkerAnnouncement?
    /// How long since it last read, when the server tells.
    public var idle: Duration?
    /// Messages delivered to it and not yet acknowledged, when the server tells.
    public var pending: Int?

    /// Creates a member.
    public init(name: String, announcement: WorkerAnnouncement?, idle: Duration? = nil, pending: Int? = nil) {
        self.name = name
        self.announcement = announcement
        self.idle = idle
        self.pending = pending
    }
}
