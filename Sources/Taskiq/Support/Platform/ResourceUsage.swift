#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// CPU time and peak resident memory of this process and of its reaped children (`getrusage`).
package struct ResourceUsage: Sendable, Hashable {
    /// User plus system CPU seconds of this process.
    package var selfCPUSeconds: Double
    /// User plus system CPU seconds of children that have been waited for.
    package var childrenCPUSeconds: Double
    /// Peak resident set of this process, in bytes.
    package var selfPeakRSSBytes: Int
    /// Largest peak resident set among waited-for children, in bytes.
    package var childrenPeakRSSBytes: Int

    package init(
        selfCPUSeconds: Double = 0, childrenCPUSeconds: Double = 0, selfPeakRSSBytes: Int = 0,
        childrenPeakRSSBytes: Int = 0
    ) {
        self.selfCPUSeconds = selfCPUSeconds
        self.childrenCPUSeconds = childrenCPUSeconds
        self.selfPeakRSSBytes = selfPeakRSSBytes
        self.childrenPeakRSSBytes = childrenPeakRSSBytes
    }

    /// The counters now.
    package static func current() -> ResourceUsage {
        let me = usage(RUSAGE_SELF)
        let children = usage(RUSAGE_CHILDREN)
        return ResourceUsage(
            selfCPUSeconds: me.cpu, childrenCPUSeconds: children.cpu,
            selfPeakRSSBytes: me.maxRSS, childrenPeakRSSBytes: children.maxRSS)
    }

    /// This process's resident set now, in bytes (`/proc/self/statm`; the peak on other systems).
    package static func residentBytes() -> Int {
        #if os(Linux)
        if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) {
            let fields = statm.split(separator: " ")
            if fields.count > 1, let pages = Int(fields[1]) { return pages * Int(sysconf(Int32(_SC_PAGESIZE))) }
        }
        #endif
        return current().selfPeakRSSBytes
    }

    /// CPU seconds of self and children since `start`.
    package func cpuSeconds(since start: ResourceUsage) -> Double {
        (selfCPUSeconds - start.selfCPUSeconds) + (childrenCPUSeconds - start.childrenCPUSeconds)
    }

    #if canImport(Glibc)
    private typealias Who = __rusage_who
    #else
    private typealias Who = Int32
    #endif

    private static func usage(_ who: Who) -> (cpu: Double, maxRSS: Int) {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(__rusage_who_t(who.rawValue), &usage)
        #else
        getrusage(who, &usage)
        #endif
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        #if canImport(Darwin)
        let maxRSS = Int(usage.ru_maxrss)  // bytes on Darwin
        #else
        let maxRSS = Int(usage.ru_maxrss) * 1024  // KiB on Linux
        #endif
        return (seconds(usage.ru_utime) + seconds(usage.ru_stime), maxRSS)
    }
}
