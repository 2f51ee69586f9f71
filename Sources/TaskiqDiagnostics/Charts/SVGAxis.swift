import Taskiq

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One axis of an ``SVGChart``: the data's range widened to round bounds, the ticks within them,
/// and where a value falls as a fraction of the axis.
///
/// A linear axis steps by 1, 2 or 5 times a power of ten; a logarithmic axis spans the data, a
/// little padded, with a tick at each power of ten inside. A range of one value is widened so that it has a length; every
/// computation stays finite for any finite input (halves are subtracted, never full values).
struct SVGAxis: Sendable, Hashable {
    let scale: SVGChart.Scale
    /// The lowest value shown (linear), or its base-10 logarithm (log).
    let lower: Double
    /// The highest value shown (linear), or its base-10 logarithm (log).
    let upper: Double
    /// The tick values, in data units.
    let ticks: [Double]

    /// An axis covering `lower...upper`, both finite (and positive on a log axis).
    init(scale: SVGChart.Scale, lower: Double, upper: Double) {
        self.scale = scale
        switch scale {
        case .log:
            // The data's own decades, padded by a twentieth of the span (a single value gets one
            // decade around it), with a tick at each power of ten inside; with fewer than two
            // powers inside, at 2 and 5 times them too, then at the bounds.
            var low = log10(lower)
            var high = log10(upper)
            if !low.isFinite || !high.isFinite { (low, high) = (0, 1) }
            if high - low < 1e-9 { (low, high) = (low - 0.5, high + 0.5) }
            let pad = (high - low) / 20
            (low, high) = (low - pad, high + pad)
            self.lower = low
            self.upper = high
            let decades = Array(Int(ceil(low))...Int(max(ceil(low), floor(high))))
            var ticks = decades.map { pow(10, Double($0)) }.filter { log10($0) >= low && log10($0) <= high }
            if ticks.count < 2 {
                let steps = (Int(floor(low))...Int(floor(high))).flatMap { decade in
                    [1.0, 2, 5].map { $0 * pow(10, Double(decade)) }
                }
                ticks = steps.filter { log10($0) >= low && log10($0) <= high }
            }
            if ticks.count < 2 { ticks = [pow(10, low), pow(10, high)] }
            let every = max(1, (ticks.count + 9) / 10)
            self.ticks = stride(from: 0, to: ticks.count, by: every).map { ticks[$0] }
        case .linear:
            var low = lower
            var high = upper
            if high - low == 0 || !(high / 2 - low / 2).isFinite {
                let pad = max(abs(low) / 10, 1)
                low -= pad
                high += pad
            }
            let step = Self.niceStep(halfSpan: high / 2 - low / 2)
            let roundedLow = floor(low / step) * step
            let roundedHigh = ceil(high / step) * step
            if roundedLow.isFinite, roundedHigh.isFinite, roundedHigh > roundedLow {
                (low, high) = (roundedLow, roundedHigh)
            }
            self.lower = low
            self.upper = high
            var ticks: [Double] = []
            var tick = low
            while tick <= high + step / 1000, ticks.count < 25, step > 0, tick.isFinite {
                ticks.append(abs(tick) < step / 1e6 ? 0 : tick)
                tick = low + Double(ticks.count) * step
            }
            self.ticks = ticks
        }
    }

    /// 1, 2 or 5 times a power of ten, about a fifth of the span.
    private static func niceStep(halfSpan: Double) -> Double {
        let raw = halfSpan / 2.5
        guard raw > 0, raw.isFinite else { return 1 }
        let magnitude = pow(10, floor(log10(raw)))
        for multiple in [1.0, 2, 5, 10] where multiple * magnitude >= raw { return multiple * magnitude }
        return 10 * magnitude
    }

    /// Where `value` falls, from 0 (lower bound) to 1 (upper bound).
    func fraction(of value: Double) -> Double {
        let position: Double
        switch scale {
        case .log: position = (log10(value) - lower) / (upper - lower)
        case .linear: position = (value / 2 - lower / 2) / (upper / 2 - lower / 2)
        }
        return position.isFinite ? min(1, max(0, position)) : 0
    }

    /// A short label: `250`, `0.05`, `10k`, `1.5M`.
    static func label(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 1e9, magnitude < 1e15 { return NumberText.general(value / 1e9) + "G" }
        if magnitude >= 1e6, magnitude < 1e9 { return NumberText.general(value / 1e6) + "M" }
        if magnitude >= 1e3, magnitude < 1e6 { return NumberText.general(value / 1e3) + "k" }
        return NumberText.general(value)
    }
}
