import Taskiq

extension ComponentRegistry {
    /// The options of the `simple_retry` middleware, which `smart_retry` shares; defaults come from
    /// ``SimpleRetryMiddleware/init(defaultRetryCount:defaultRetryLabel:noResultOnRetry:)``.
    enum RetryKeys {
        private static let defaults = SimpleRetryMiddleware()

        static let defaultRetryCount = Option<Int>.integer(
            "default_retry_count", default: defaults.defaultRetryCount, range: 1...1000,
            description: "Total attempts when a message has no max_retries label.")
        static let defaultRetryLabel = Option<Bool>.boolean(
            "default_retry_label", default: defaults.defaultRetryLabel,
            description: "Retry tasks that have no retry_on_error label.")
        static let noResultOnRetry = Option<Bool>.boolean(
            "no_result_on_retry", default: defaults.noResultOnRetry,
            description: "Store no result for attempts that will be retried.")
    }

    /// The options only `smart_retry` has; defaults come from ``SmartRetryMiddleware``'s initialiser.
    enum SmartRetryKeys {
        private static let defaults = SmartRetryMiddleware()

        static let defaultDelay = Option<Double>.number(
            "default_delay", default: defaults.defaultDelay, range: 0...86_400,
            description: "Seconds before a retry (a task's retry_delay label overrides it).")
        static let useJitter = Option<Bool>.boolean("use_jitter", default: defaults.useJitter,
                                                    description: "Add up to one second of random delay.")
        static let useDelayExponent = Option<Bool>.boolean("use_delay_exponent", default: defaults.useDelayExponent,
                                                           description: "Double the delay with each retry.")
        static let maxDelayExponent = Option<Double>.number(
            "max_delay_exponent", default: defaults.maxDelayExponent, range: 0...86_400,
            description: "Largest delay in seconds when doubling.")
    }

    /// Registers the `simple_retry` and `smart_retry` middlewares.
    mutating func registerMiddlewareTypes() {
        typealias Retry = RetryKeys
        typealias Smart = SmartRetryKeys
        register(
            middleware: "simple_retry",
            summary: "Re-sends failed tasks whose retry_on_error label is true, as taskiq's SimpleRetryMiddleware.",
            options: [Retry.defaultRetryCount, Retry.defaultRetryLabel, Retry.noResultOnRetry]
        ) { options in
            SimpleRetryMiddleware(defaultRetryCount: try options[Retry.defaultRetryCount],
                                  defaultRetryLabel: try options[Retry.defaultRetryLabel],
                                  noResultOnRetry: try options[Retry.noResultOnRetry])
        }

        register(
            middleware: "smart_retry",
            summary: "Re-sends failed tasks after a delay (honoured by the in-memory and Redis brokers), as taskiq's SmartRetryMiddleware but without compounding delays.",
            options: [Retry.defaultRetryCount, Retry.defaultRetryLabel, Retry.noResultOnRetry,
                      Smart.defaultDelay, Smart.useJitter, Smart.useDelayExponent, Smart.maxDelayExponent]
        ) { options in
            SmartRetryMiddleware(defaultRetryCount: try options[Retry.defaultRetryCount],
                                 defaultRetryLabel: try options[Retry.defaultRetryLabel],
                                 noResultOnRetry: try options[Retry.noResultOnRetry],
                                 defaultDelay: try options[Smart.defaultDelay],
                                 useJitter: try options[Smart.useJitter],
                                 useDelayExponent: try options[Smart.useDelayExponent],
                                 maxDelayExponent: try options[Smart.maxDelayExponent])
        }
    }
}
