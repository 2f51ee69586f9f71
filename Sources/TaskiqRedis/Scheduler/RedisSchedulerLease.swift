import Taskiq

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A ``/Taskiq/SchedulerLease`` shared through Redis, so several scheduler processes elect one
/// sender.
///
/// ```swift
/// let lease = try RedisSchedulerLease(url: "redis://127.0.0.1:6379", ttl: .seconds(30), renewInterval: .seconds(10))
/// let scheduler = Scheduler(broker: broker, sources: sources, stateStore: store, lease: lease)
/// ```
/// The lease is one key (``key``) whose value is this instance's ``token`` (host, process ID and a
/// random part). ``acquire()`` sets it with `SET key token NX PX ttl`; ``renew()`` extends it with a
/// script that runs `PEXPIRE` only while the key still holds this token; ``release()`` deletes it the
/// same way, so a holder never renews or deletes a lease another scheduler took after its own
/// expired. A holder that crashes stops renewing and its lease expires after ``ttl``; a standby
/// then takes it at its next try (every ``renewInterval``).
public final class RedisSchedulerLease: SchedulerLease {
    /// The Redis key of the lease.
    public let key: String
    /// How long the lease lives without renewal.
    public let ttl: Duration
    /// How often the holder renews and a standby retries; shorter than ``ttl``.
    public let renewInterval: Duration
    /// The value this instance writes into the key: `<host> pid <pid> <random>`.
    public let token: String

    let client: RedisClient

    /// The default key, `taskiq:scheduler:lease`.
    public static let defaultKey = "taskiq:scheduler:lease"

    /// Extends the key's expiry if it holds the token; 1 when it did, 0 otherwise.
    static let renewScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          return redis.call('PEXPIRE', KEYS[1], ARGV[2])
        end
        return 0
        """
    /// Deletes the key if it holds the token; 1 when it did, 0 otherwise.
    static let releaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          return redis.call('DEL', KEYS[1])
        end
        return 0
        """

    /// Creates a lease; nothing connects until the first call.
    /// - Parameters:
    ///   - url: `redis://[user:password@]host:port/db`.
    ///   - key: The lease key, the same for every scheduler that competes for it.
    ///   - ttl: How long the lease lives without renewal: how long schedules pause when the holder crashes.
    ///   - renewInterval: How often it is renewed or retried; shorter than `ttl`.
    /// - Throws: ``RedisConnectionError`` for a malformed URL; ``/Taskiq/ScheduleError`` with code
    ///   `.invalidValue` when `ttl` is under one millisecond or `renewInterval` is not positive and
    ///   shorter than `ttl`.
    public convenience init(
        url: String = RedisDefaults.url, key: String = defaultKey,
        ttl: Duration = Defaults.ttl, renewInterval: Duration = Defaults.renewInterval
    ) throws {
        try self.init(configuration: RedisConfiguration(url: url), key: key, ttl: ttl, renewInterval: renewInterval)
    }

    /// Creates a lease from a connection configuration.
    /// - Throws: ``/Taskiq/ScheduleError`` with code `.invalidValue` when `ttl` is under
    ///   one millisecond or `renewInterval` is not positive and shorter than `ttl`.
    package init(
        configuration: RedisConfiguration, key: String = defaultKey, ttl: Duration = Defaults.ttl,
        renewInterval: Duration = Defaults.renewInterval, logger: Logger = Logger(label: "taskiq.scheduler.lease")
    ) throws {
        guard ttl >= .milliseconds(1) else {
            throw ScheduleError(.invalidValue, key: "ttl", "the lease's ttl must be at least 1 ms, found \(ttl)")
        }
        guard renewInterval > .zero, renewInterval < ttl else {
            throw ScheduleError(
                .invalidValue, key: "renew_interval",
                """
                the lease's renew interval (\(renewInterval)) must be positive and shorter than its ttl (\(ttl)), \
                or the holder loses the lease between renewals
                """)
        }
        self.key = key
        self.ttl = ttl
        self.renewInterval = renewInterval
        let random = UUID().uuidString.filter { $0 != "-" }.lowercased()
        token = "\(ProcessInfo.processInfo.hostName) pid \(ProcessInfo.processInfo.processIdentifier) \(random)"
        client = RedisClient(configuration: configuration, logger: logger)
    }

    deinit {
        client.close()
    }

    private var milliseconds: Int { ttl.wholeMilliseconds }

    /// The interval the scheduler renews at: ``renewInterval``.
    public var renewalInterval: Duration? { renewInterval }

    /// Sets the key with `SET NX PX`; when it exists already, succeeds only if it holds this
    /// token (a retried acquisition whose first reply was lost), extending it.
    public func acquire() async throws -> Bool {
        if try await client.send(["SET", key, token, "NX", "PX", milliseconds]).string == "OK" { return true }
        return try await renew()
    }

    /// Extends the key's expiry to ``ttl`` if it still holds this token.
    public func renew() async throws -> Bool {
        try await client.send(["EVAL", Self.renewScript, 1, key, token, milliseconds]).int == 1
    }

    /// Deletes the key if it still holds this token.
    public func release() async throws {
        try await client.send(["EVAL", Self.releaseScript, 1, key, token])
    }

    /// The token of the current holder, or `nil` when nobody holds the lease.
    public func holder() async throws -> String? {
        try await client.send(["GET", key]).string
    }

    /// Closes the connection; later calls fail.
    public func close() {
        client.close()
    }
}
