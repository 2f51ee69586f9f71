#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The standard `process_*` series of Prometheus clients, read when scraped: resident memory,
/// open descriptors, CPU seconds and start time.
public enum ProcessMetrics {
    /// When this process started (approximately: when this type was first used, normally at start).
    private static let startTime: Double = {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }()

    /// Fixes the start time; call early in `main`.
    public static func markStart() { _ = startTime }

    /// The families now.
    public static func collect() -> [MetricFamilySnapshot] {
        let usage = ResourceUsage.current()
        var families = [
            MetricFamilySnapshot(
                name: "process_resident_memory_bytes", help: "Resident memory size in bytes.", type: .gauge,
                samples: [MetricSample(value: Double(ResourceUsage.residentBytes()))]),
            MetricFamilySnapshot(
                name: "process_cpu_seconds", help: "Total user and system CPU time spent in seconds.",
                type: .counter, samples: [MetricSample(suffix: "_total", value: usage.selfCPUSeconds)]),
            MetricFamilySnapshot(
                name: "process_start_time_seconds", help: "Start time of the process since unix epoch in seconds.",
                type: .gauge, samples: [MetricSample(value: startTime)]),
        ]
        if let fds = openDescriptors() {
            families.append(
                MetricFamilySnapshot(
                    name: "process_open_fds", help: "Number of open file descriptors.", type: .gauge,
                    samples: [MetricSample(value: Double(fds))]))
        }
        return families
    }

    /// Entries of `/proc/self/fd` (less the one reading it), or `nil` where there is no `/proc`.
    static func openDescriptors() -> Int? {
        #if os(Linux)
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { $0.first ?? 0 }
            if name != UInt8(ascii: ".") { count += 1 }
        }
        return max(0, count - 1)
        #else
        return nil
        #endif
    }
}
