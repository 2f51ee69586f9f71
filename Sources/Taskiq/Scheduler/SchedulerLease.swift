/// Leadership among schedulers: only the holder of the lease sends.
///
/// Run several scheduler processes for availability and give them a shared lease (Redis, with an
/// expiry so a crashed holder loses it); the others stand by and retry. The scheduler calls
/// ``acquire()`` while it does not hold the lease, ``renew()`` every
/// ``renewalInterval`` (else ``SchedulerOptions/leaseRenewalInterval``) while it does, and
/// ``release()`` when it stops.
public protocol SchedulerLease: Sendable {
    /// How often this lease must be renewed (and retried by a standby), when the lease knows
    /// better than ``SchedulerOptions/leaseRenewalInterval`` (an expiring lease: well under its
    /// expiry); `nil` to use the scheduler's option.
    var renewalInterval: Duration? { get }
    /// Tries once to take the lease. Returns whether this scheduler now holds it.
    func acquire() async throws -> Bool
    /// Extends the lease. Returns `false` when it was lost (expired and taken by another).
    func renew() async throws -> Bool
    /// Gives the lease up so a standby can take over at once.
    func release() async throws
}

extension SchedulerLease {
    /// `nil`: the scheduler's ``SchedulerOptions/leaseRenewalInterval`` applies.
    public var renewalInterval: Duration? { nil }
}

extension SchedulerLease where Self == LocalSchedulerLease {
    /// A lease that is always granted: for a single scheduler process.
    public static var local: LocalSchedulerLease { LocalSchedulerLease() }
}
