import Taskiq

extension WorkerSettings {
    /// The rate limits of `worker.queue_rate_limit` and `worker.rate_limits`, counted under the
    /// broker's name (workers of one queue use the same config, so the same name).
    /// - Throws: ``RateLimitError`` for a limit that does not parse (validation reports it first).
    func receiverRateLimits(broker name: String) throws(RateLimitError) -> RateLimits {
        var limits = RateLimits(queueKey: name)
        if let queue = queueRateLimit { limits.queue = try RateLimit(parsing: queue) }
        for entry in rateLimits { limits.tasks[entry.task] = try RateLimit(parsing: entry.limit) }
        return limits
    }

    /// Checks every rate limit, failing with the JSON path of the first that does not parse.
    func checkRateLimits(in document: ConfigDocument, at worker: JSONPath) throws(ConfigError) {
        if let queue = queueRateLimit {
            do throws(RateLimitError) {
                _ = try RateLimit(parsing: queue)
            } catch {
                let path = worker.key(Keys.queueRateLimit.name)
                throw ConfigError(.invalidRateLimit, file: document.origin(of: path), path: path.text, "\(error)")
            }
        }
        for (index, entry) in rateLimits.enumerated() {
            do throws(RateLimitError) {
                _ = try RateLimit(parsing: entry.limit)
            } catch {
                let path = worker.key(Keys.rateLimits.name).index(index).key(Keys.rateLimitLimit.name)
                throw ConfigError(.invalidRateLimit, file: document.origin(of: path), path: path.text, "\(error)")
            }
        }
    }
}

extension ErrorCode where Domain == ConfigError {
    /// A rate limit (`worker.queue_rate_limit`, `worker.rate_limits[].limit`) that is not `<count>/<unit>`.
    public static var invalidRateLimit: Self { "invalid_rate_limit" }
}
