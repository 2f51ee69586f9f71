#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The system's wall clock, for running schedulers.
///
/// Sleeps in slices of at most ``maximumSlice`` and re-reads the wall clock after each, so a clock
/// that is stepped (NTP, a suspended laptop) moves the wake-up with it instead of drifting.
public struct SystemSchedulerClock: SchedulerClock {
    /// The longest single sleep before the wall clock is read again.
    public var maximumSlice: Duration

    /// Creates the clock.
    /// - Parameter maximumSlice: The longest single sleep (default 30 seconds).
    public init(maximumSlice: Duration = .seconds(30)) {
        self.maximumSlice = maximumSlice
    }

    /// The current wall-clock instant.
    public var now: Date { Date() }

    /// Sleeps until the wall clock reaches `deadline`.
    public func sleep(until deadline: Date) async throws {
        while true {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { return }
            // Clamped, never converted raw: a schedule's time of 1e300 s made Int64(_:) trap.
            try await Task.sleep(for: min(Duration.clampedSeconds(remaining) ?? .zero, maximumSlice))
        }
    }
}
