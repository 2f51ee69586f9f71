import Taskiq

extension ComponentRegistry {
    /// The options of the `simple_retry` middleware, which `smart_retry` shares; defaults come from
    /// ``SimpleRetryMiddleware/init(defaultRetryCount:defaultRetryLabel:noResultOnRetry:)``.
    struct RetryKeys: OptionGroup {
        private static let defaults = SimpleRetryMiddleware()

        let defaultRetryCount = Option<Int>.integer(
            "default_retry_count", default: Self.defaults.defaultRetryCount, range: 1...1000,
            description: "Total attempts when a message has no max_retries label.")
        let defaultRetryLabel = Option<Bool>.boolean(
            "default_retry_label", default: Self.defaults.defaultRetryLabel,
            description: "Retry tasks that have no retry_on_error label.")
        let noResultOnRetry = Option<Bool>.boolean(
            "no_result_on_retry", default: Self.defaults.noResultOnRetry,
            description: "Store no result for attempts that will be retried.")
        let retryOn = Option<[String]?>.strings(
            "retry_on",
            description:
                "Retry only errors matching one of these: a type name (TimeoutError), module.name, or name:code (HTTPError:503, *:503); null retries any. A task's retry_on label replaces it."
        )
        let noRetryOn = Option<[String]?>.strings(
            "no_retry_on",
            description:
                "Never retry errors matching one of these (same forms as retry_on); wins over retry_on. A task's no_retry_on label replaces it."
        )
    }

    /// The options of `smart_retry`: those of `simple_retry`, then its own, whose defaults come
    /// from ``SmartRetryMiddleware``'s initialiser.
    struct SmartRetryKeys: OptionGroup {
        private static let defaults = SmartRetryMiddleware()

        let retry = RetryKeys()
        let defaultDelay = Option<Double>.number(
            "default_delay", default: Self.defaults.defaultDelay, range: 0...86_400,
            description: "Seconds before a retry (a task's retry_delay label overrides it).")
        let useJitter = Option<Bool>.boolean(
            "use_jitter", default: Self.defaults.useJitter,
            description: "Add up to one second of random delay.")
        let useDelayExponent = Option<Bool>.boolean(
            "use_delay_exponent", default: Self.defaults.useDelayExponent,
            description: "Double the delay with each retry.")
        let maxDelayExponent = Option<Double>.number(
            "max_delay_exponent", default: Self.defaults.maxDelayExponent, range: 0...86_400,
            description: "Largest delay in seconds when doubling.")
    }

    /// Registers the `simple_retry` and `smart_retry` middlewares.
    mutating func registerMiddlewareTypes() {
        let simple = RetryKeys()
        register(
            middleware: "simple_retry",
            summary: "Re-sends failed tasks whose retry_on_error label is true, as taskiq's SimpleRetryMiddleware.",
            options: simple.declarations
        ) { options in
            SimpleRetryMiddleware(
                defaultRetryCount: try options[simple.defaultRetryCount],
                defaultRetryLabel: try options[simple.defaultRetryLabel],
                noResultOnRetry: try options[simple.noResultOnRetry],
                retryOn: try options[simple.retryOn].map(Set.init),
                doNotRetryOn: Set(try options[simple.noRetryOn] ?? []))
        }

        let smart = SmartRetryKeys()
        register(
            middleware: "smart_retry",
            summary:
                "Re-sends failed tasks after a delay (honoured by the in-memory and Redis brokers), as taskiq's SmartRetryMiddleware but without compounding delays.",
            options: smart.declarations
        ) { options in
            SmartRetryMiddleware(
                defaultRetryCount: try options[smart.retry.defaultRetryCount],
                defaultRetryLabel: try options[smart.retry.defaultRetryLabel],
                noResultOnRetry: try options[smart.retry.noResultOnRetry],
                defaultDelay: try options[smart.defaultDelay],
                useJitter: try options[smart.useJitter],
                useDelayExponent: try options[smart.useDelayExponent],
                maxDelayExponent: try options[smart.maxDelayExponent],
                retryOn: try options[smart.retry.retryOn].map(Set.init),
                doNotRetryOn: Set(try options[smart.retry.noRetryOn] ?? []))
        }
    }
}
