/// A line chart written as SVG by hand: series of (x, y) points on linear or logarithmic axes,
/// with axis labels, ticks and a legend, so that `bench/README.md` can show a curve (ours beside
/// Python's) without a plotting library.
///
/// ```swift
/// var chart = SVGChart(title: "Throughput by payload", xLabel: "payload (bytes)", yLabel: "tasks/s",
///                      xScale: .log, yScale: .log)
/// chart.series = [.init(name: "Swift in-memory", points: [(100, 94_000), (10_240, 60_000)]),
///                 .init(name: "Python in-memory", points: [(100, 17_000)], dashed: true, colorIndex: 0)]
/// let svg = SVGChart.document([chart])
/// ```
/// Points with a non-finite coordinate, or a non-positive one on a logarithmic axis, are left out
/// rather than drawn at a wrong place; a chart with nothing to draw still renders its axes and
/// says so.
package struct SVGChart: Sendable {
    /// How an axis maps values to positions.
    package enum Scale: String, Sendable, Hashable, CaseIterable {
        /// Equal distances for equal differences.
        case linear
        /// Equal distances for equal ratios; ticks at powers of ten.
        case log
    }

    /// One line of the chart.
    package struct Series: Sendable {
        /// The legend's text.
        package var name: String
        /// The points, drawn in x order.
        package var points: [(x: Double, y: Double)]
        /// Drawn dashed (Python's side).
        package var dashed: Bool
        /// Which color of ``SVGChart/palette``; series of one broker share it. The series'
        /// position when `nil`.
        package var colorIndex: Int?

        package init(name: String, points: [(x: Double, y: Double)], dashed: Bool = false, colorIndex: Int? = nil) {
            self.name = name
            self.points = points
            self.dashed = dashed
            self.colorIndex = colorIndex
        }
    }

    /// A rectangle in SVG user units.
    package struct Rect: Sendable, Hashable {
        package var x: Double
        package var y: Double
        package var width: Double
        package var height: Double

        /// Whether a point lies inside or on the edge.
        package func contains(x px: Double, y py: Double) -> Bool {
            px >= x - 1e-9 && px <= x + width + 1e-9 && py >= y - 1e-9 && py <= y + height + 1e-9
        }
    }

    /// The chart's heading.
    package var title: String
    /// The x axis's label, with its unit.
    package var xLabel: String
    /// The y axis's label, with its unit.
    package var yLabel: String
    package var xScale: Scale
    package var yScale: Scale
    package var series: [Series] = []
    /// Width of one chart in SVG units.
    package var width = 760.0
    /// Height of one chart in SVG units.
    package var height = 380.0

    /// Series colors (a color-blind-safe set); indexes wrap around.
    package static let palette = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"]

    package init(
        title: String, xLabel: String, yLabel: String, xScale: Scale = .linear, yScale: Scale = .linear,
        series: [Series] = []
    ) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xScale = xScale
        self.yScale = yScale
        self.series = series
    }

    /// Where points are drawn: the chart less its margins (axis labels on the left and below,
    /// the legend on the right).
    package var plotArea: Rect {
        Rect(x: 78, y: 44, width: max(10, width - 78 - 210), height: max(10, height - 44 - 58))
    }

    /// The points of every series that can be drawn on these scales.
    func drawable(_ series: Series) -> [(x: Double, y: Double)] {
        series.points
            .filter { xScale.accepts($0.x) && yScale.accepts($0.y) }
            .sorted { $0.x < $1.x }
    }

    /// The axes' ranges over every drawable point; `nil` when there is none.
    var domains: (x: SVGAxis, y: SVGAxis)? {
        let points = series.flatMap(drawable)
        guard let first = points.first else { return nil }
        var (minX, maxX, minY, maxY) = (first.x, first.x, first.y, first.y)
        for point in points.dropFirst() {
            minX = min(minX, point.x)
            maxX = max(maxX, point.x)
            minY = min(minY, point.y)
            maxY = max(maxY, point.y)
        }
        // Throughput and latency read best from zero on a linear axis.
        if yScale == .linear, minY > 0 { minY = 0 }
        return (SVGAxis(scale: xScale, lower: minX, upper: maxX), SVGAxis(scale: yScale, lower: minY, upper: maxY))
    }

    /// Charts stacked top to bottom in one standalone SVG document.
    package static func document(_ charts: [SVGChart]) -> String {
        let width = charts.map(\.width).max() ?? 760
        let height = charts.reduce(0) { $0 + $1.height }
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(number(width))" height="\(number(max(height, 1)))" \
            viewBox="0 0 \(number(width)) \(number(max(height, 1)))" font-family="sans-serif" font-size="12">

            """
        svg += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
        var top = 0.0
        for chart in charts {
            svg += "<g transform=\"translate(0 \(number(top)))\">\n" + chart.body + "</g>\n"
            top += chart.height
        }
        return svg + "</svg>\n"
    }

    /// The chart's elements, in its own coordinates.
    var body: String {
        let area = plotArea
        var out =
            "<text x=\"\(Self.number(width / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" "
            + "font-weight=\"bold\">\(Self.escaped(title))</text>\n"
        out +=
            "<rect x=\"\(Self.number(area.x))\" y=\"\(Self.number(area.y))\" width=\"\(Self.number(area.width))\" "
            + "height=\"\(Self.number(area.height))\" fill=\"none\" stroke=\"#888888\"/>\n"
        out +=
            "<text x=\"\(Self.number(area.x + area.width / 2))\" y=\"\(Self.number(height - 12))\" "
            + "text-anchor=\"middle\">\(Self.escaped(xLabel))</text>\n"
        let middle = area.y + area.height / 2
        out +=
            "<text x=\"16\" y=\"\(Self.number(middle))\" text-anchor=\"middle\" "
            + "transform=\"rotate(-90 16 \(Self.number(middle)))\">\(Self.escaped(yLabel))</text>\n"
        guard let (xAxis, yAxis) = domains else {
            out +=
                "<text x=\"\(Self.number(area.x + area.width / 2))\" y=\"\(Self.number(middle))\" "
                + "text-anchor=\"middle\" fill=\"#888888\">no data</text>\n"
            return out + legend(area: area)
        }
        func px(_ x: Double) -> Double { area.x + xAxis.fraction(of: x) * area.width }
        func py(_ y: Double) -> Double { area.y + area.height - yAxis.fraction(of: y) * area.height }
        for tick in xAxis.ticks {
            let x = px(tick)
            out +=
                "<line x1=\"\(Self.number(x))\" y1=\"\(Self.number(area.y))\" x2=\"\(Self.number(x))\" "
                + "y2=\"\(Self.number(area.y + area.height))\" stroke=\"#e4e4e4\"/>\n"
            out +=
                "<text x=\"\(Self.number(x))\" y=\"\(Self.number(area.y + area.height + 16))\" "
                + "text-anchor=\"middle\">\(Self.escaped(SVGAxis.label(tick)))</text>\n"
        }
        for tick in yAxis.ticks {
            let y = py(tick)
            out +=
                "<line x1=\"\(Self.number(area.x))\" y1=\"\(Self.number(y))\" x2=\"\(Self.number(area.x + area.width))\" "
                + "y2=\"\(Self.number(y))\" stroke=\"#e4e4e4\"/>\n"
            out +=
                "<text x=\"\(Self.number(area.x - 6))\" y=\"\(Self.number(y + 4))\" "
                + "text-anchor=\"end\">\(Self.escaped(SVGAxis.label(tick)))</text>\n"
        }
        for (index, series) in series.enumerated() {
            let points = drawable(series)
            guard !points.isEmpty else { continue }
            let color = color(of: series, at: index)
            let dash = series.dashed ? " stroke-dasharray=\"6 4\"" : ""
            let coordinates = points.map { "\(Self.number(px($0.x))),\(Self.number(py($0.y)))" }
            if points.count > 1 {
                out +=
                    "<polyline points=\"\(coordinates.joined(separator: " "))\" fill=\"none\" stroke=\"\(color)\" "
                    + "stroke-width=\"2\"\(dash)/>\n"
            }
            for point in points {
                out +=
                    "<circle cx=\"\(Self.number(px(point.x)))\" cy=\"\(Self.number(py(point.y)))\" r=\"3.5\" "
                    + "fill=\"\(series.dashed ? "#ffffff" : color)\" stroke=\"\(color)\" stroke-width=\"1.5\">"
                    + "<title>\(Self.escaped("\(series.name): \(SVGAxis.label(point.x)), \(SVGAxis.label(point.y))"))</title>"
                    + "</circle>\n"
            }
        }
        return out + legend(area: area)
    }

    private func legend(area: Rect) -> String {
        var out = ""
        let left = area.x + area.width + 16
        for (index, series) in series.enumerated() {
            let y = area.y + 10 + Double(index) * 20
            let color = color(of: series, at: index)
            let dash = series.dashed ? " stroke-dasharray=\"6 4\"" : ""
            out +=
                "<line x1=\"\(Self.number(left))\" y1=\"\(Self.number(y))\" x2=\"\(Self.number(left + 26))\" "
                + "y2=\"\(Self.number(y))\" stroke=\"\(color)\" stroke-width=\"2\"\(dash)/>\n"
            out += "<text x=\"\(Self.number(left + 32))\" y=\"\(Self.number(y + 4))\">\(Self.escaped(series.name))</text>\n"
        }
        return out
    }

    private func color(of series: Series, at index: Int) -> String {
        Self.palette[(series.colorIndex ?? index) % Self.palette.count]
    }

    /// Text safe inside an element or a double-quoted attribute.
    package static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            // Characters XML 1.0 forbids even escaped: left out.
            case "\u{0}"..."\u{8}", "\u{B}", "\u{C}", "\u{E}"..."\u{1F}", "\u{FFFE}", "\u{FFFF}": continue
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// A coordinate with two decimals at most, never in exponent form.
    static func number(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e12 else { return "0" }
        let hundredths = (value * 100).rounded()
        let whole = Int(hundredths / 100)
        let fraction = Int(abs(hundredths.truncatingRemainder(dividingBy: 100)))
        let sign = hundredths < 0 && whole == 0 ? "-" : ""
        if fraction == 0 { return sign + String(whole) }
        let digits = fraction < 10 ? "0\(fraction)" : String(fraction)
        return sign + String(whole) + "." + (digits.hasSuffix("0") ? String(digits.dropLast()) : digits)
    }
}

extension SVGChart.Scale {
    /// Whether a value can be placed on this scale.
    func accepts(_ value: Double) -> Bool {
        value.isFinite && (self == .linear || value > 0)
    }
}
