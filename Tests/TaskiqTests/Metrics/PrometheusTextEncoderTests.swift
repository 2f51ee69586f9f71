import Testing

@testable import Taskiq

/// The text format, byte for byte as Python's prometheus_client writes it, and read back.
@Suite struct PrometheusTextEncoderTests {
    @Test func writesCountersAsPythonDoes() {
        let registry = MetricsRegistry()
        let received = registry.counter("received_tasks", help: "Number of received tasks", labels: ["task_name"])
        received.labels("examples.add").increment()
        received.labels("examples.add").increment(by: 2)
        received.labels("examples.fail").increment()
        #expect(
            registry.exposition() == """
                # HELP received_tasks_total Number of received tasks
                # TYPE received_tasks_total counter
                received_tasks_total{task_name="examples.add"} 3.0
                received_tasks_total{task_name="examples.fail"} 1.0

                """)
    }

    @Test func writesHistogramBucketsCumulatively() {
        let registry = MetricsRegistry()
        let time = registry.histogram("execution_time", help: "Time of function execution", labels: ["task_name"])
        for value in [0.001, 0.005, 0.3, 20] { time.labels("t").observe(value) }
        #expect(
            registry.exposition() == """
                # HELP execution_time Time of function execution
                # TYPE execution_time histogram
                execution_time_bucket{task_name="t",le="0.005"} 2.0
                execution_time_bucket{task_name="t",le="0.01"} 2.0
                execution_time_bucket{task_name="t",le="0.025"} 2.0
                execution_time_bucket{task_name="t",le="0.05"} 2.0
                execution_time_bucket{task_name="t",le="0.075"} 2.0
                execution_time_bucket{task_name="t",le="0.1"} 2.0
                execution_time_bucket{task_name="t",le="0.25"} 2.0
                execution_time_bucket{task_name="t",le="0.5"} 3.0
                execution_time_bucket{task_name="t",le="0.75"} 3.0
                execution_time_bucket{task_name="t",le="1.0"} 3.0
                execution_time_bucket{task_name="t",le="2.5"} 3.0
                execution_time_bucket{task_name="t",le="5.0"} 3.0
                execution_time_bucket{task_name="t",le="7.5"} 3.0
                execution_time_bucket{task_name="t",le="10.0"} 3.0
                execution_time_bucket{task_name="t",le="+Inf"} 4.0
                execution_time_count{task_name="t"} 4.0
                execution_time_sum{task_name="t"} \(PrometheusTextEncoder.number(0.001 + 0.005 + 0.3 + 20))

                """)
    }

    @Test(arguments: [
        ("plain", "plain"),
        ("a\"b", "a\\\"b"),
        ("back\\slash", "back\\\\slash"),
        ("two\nlines", "two\\nlines"),
        ("задача.ü", "задача.ü"),
    ])
    func escapesLabelValues(value: String, escaped: String) {
        let text = PrometheusTextEncoder.encode([
            MetricFamilySnapshot(
                name: "g", help: "h", type: .gauge, samples: [MetricSample(labels: [MetricLabel("task_name", value)], value: 1)])
        ])
        #expect(text.contains("g{task_name=\"\(escaped)\"} 1.0\n"))
        #expect(PrometheusTextParser.parse(text).first?.samples.first?.labels == [MetricLabel("task_name", value)])
    }

    @Test(arguments: [
        (1.0, "1.0"), (0.005, "0.005"), (-2.0, "-2.0"), (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"),
        (Double.nan, "NaN"), (1e20, "1e+20"), (123456789.5, "123456789.5"),
    ])
    func writesNumbers(value: Double, text: String) {
        #expect(PrometheusTextEncoder.number(value) == text)
    }

    @Test func sumsTheExpositionsOfSeveralProcesses() {
        func process(_ count: Int, start: Double) -> [MetricFamilySnapshot] {
            let registry = MetricsRegistry()
            registry.counter("success_tasks", help: "Number of successfully executed tasks", labels: ["task_name"])
                .labels("a").increment(by: count)
            registry.histogram("execution_time", help: "Time", labels: ["task_name"]).labels("a").observe(0.2)
            registry.addCollector {
                [MetricFamilySnapshot(name: "process_start_time_seconds", help: "s", type: .gauge, samples: [MetricSample(value: start)])]
            }
            return PrometheusTextParser.parse(registry.exposition())
        }
        let sum = MetricsAggregation.sum([process(2, start: 100), process(5, start: 50)])
        let text = PrometheusTextEncoder.encode(sum)
        #expect(text.contains("success_tasks_total{task_name=\"a\"} 7.0\n"))
        #expect(text.contains("# TYPE success_tasks_total counter\n"))
        #expect(text.contains("execution_time_bucket{task_name=\"a\",le=\"0.25\"} 2.0\n"))
        #expect(text.contains("execution_time_count{task_name=\"a\"} 2.0\n"))
        #expect(text.contains("process_start_time_seconds 50.0\n"))
    }

    @Test func middlewareCountsAsPrometheusMiddlewareDoes() async throws {
        let registry = MetricsRegistry()
        let middleware = MetricsMiddleware(registry: registry)
        let message = TaskiqMessage(taskID: "1", taskName: "t", labels: [:], args: [], kwargs: [:])
        _ = try await middleware.preExecute(message)
        try await middleware.postExecute(message, result: TaskiqResult(isErr: false, returnValue: .null, executionTime: 0.02))
        try await middleware.postSave(message, result: TaskiqResult(isErr: false, returnValue: .null, executionTime: 0.02))
        _ = try await middleware.preExecute(message)
        try await middleware.postExecute(message, result: TaskiqResult(isErr: true, returnValue: nil, executionTime: 3))
        let text = registry.exposition()
        #expect(text.contains("received_tasks_total{task_name=\"t\"} 2.0\n"))
        #expect(text.contains("success_tasks_total{task_name=\"t\"} 1.0\n"))
        #expect(text.contains("found_errors_total{task_name=\"t\"} 1.0\n"))
        #expect(text.contains("saved_results_total{task_name=\"t\"} 1.0\n"))
        #expect(text.contains("execution_time_bucket{task_name=\"t\",le=\"0.025\"} 1.0\n"))
        #expect(text.contains("execution_time_sum{task_name=\"t\"} \(PrometheusTextEncoder.number(0.02 + 3))\n"))
    }

    @Test func processFiguresAreRead() {
        let names = ProcessMetrics.collect().map(\.name)
        #expect(names.contains("process_resident_memory_bytes"))
        #expect(names.contains("process_open_fds"))
        #expect((ProcessMetrics.openDescriptors() ?? 0) > 2)
    }
}
