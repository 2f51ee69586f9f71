import Taskiq

extension Backoff {
    /// How a reader or mover (stream and list readers, the delayed mover) retries after a failed Redis command: 200 ms after the first
    /// failure, doubling to 5 s, without jitter (each loop has its own queue to retry).
    package static let redisRetry = Backoff.exponential(initial: .milliseconds(200), maximum: .seconds(5))
}
