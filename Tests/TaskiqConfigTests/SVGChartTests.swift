import Foundation
import Taskiq
import Testing

@testable import TaskiqConfig
@testable import TaskiqDiagnostics

/// The hand-written SVG charts of the bench sweeps: a well-formed document, every drawn point
/// inside the plot area and in the right order, escaped labels, and no trap on empty, degenerate
/// or non-finite data.
struct SVGChartTests {
    /// Checks that tags nest and close, attribute values are quoted, and text holds no raw `<`
    /// and no `&` outside an entity; returns the element names in document order.
    static func elements(of svg: String) throws -> [String] {
        let bytes = Array(svg.utf8)
        var stack: [String] = []
        var names: [String] = []
        var index = 0
        func isEntity(at start: Int) -> Bool {
            let rest = String(decoding: bytes[start..<min(bytes.count, start + 6)], as: UTF8.self)
            return ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].contains { rest.hasPrefix($0) }
        }
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "<") {
                var end = index + 1
                var quoted = false
                while end < bytes.count, quoted || bytes[end] != UInt8(ascii: ">") {
                    if bytes[end] == UInt8(ascii: "\"") { quoted.toggle() }
                    if quoted, bytes[end] == UInt8(ascii: "<") { throw Malformed("raw < in an attribute at \(end)") }
                    if quoted, bytes[end] == UInt8(ascii: "&"), !isEntity(at: end) { throw Malformed("raw & at \(end)") }
                    end += 1
                }
                guard end < bytes.count else { throw Malformed("unterminated tag at \(index)") }
                let tag = String(decoding: bytes[(index + 1)..<end], as: UTF8.self)
                if tag.hasPrefix("/") {
                    guard stack.popLast() == String(tag.dropFirst()) else { throw Malformed("unbalanced </\(tag.dropFirst())>") }
                } else {
                    let name = String(tag.prefix { !$0.isWhitespace && $0 != "/" })
                    guard !name.isEmpty else { throw Malformed("empty tag at \(index)") }
                    names.append(name)
                    if !tag.hasSuffix("/") { stack.append(name) }
                }
                index = end + 1
            } else {
                if bytes[index] == UInt8(ascii: ">") { throw Malformed("raw > in text at \(index)") }
                if bytes[index] == UInt8(ascii: "&"), !isEntity(at: index) { throw Malformed("raw & in text at \(index)") }
                index += 1
            }
        }
        guard stack.isEmpty else { throw Malformed("unclosed \(stack)") }
        guard names.first == "svg" else { throw Malformed("the root is not svg") }
        return names
    }

    struct Malformed: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// The centres of the drawn points.
    static func circles(in svg: String) -> [(x: Double, y: Double)] {
        svg.components(separatedBy: "<circle ").dropFirst().compactMap { element in
            func attribute(_ name: String) -> Double? {
                guard let start = element.range(of: "\(name)=\"") else { return nil }
                return Double(element[start.upperBound...].prefix { $0 != "\"" })
            }
            guard let x = attribute("cx"), let y = attribute("cy") else { return nil }
            return (x, y)
        }
    }

    static func single(_ chart: SVGChart) -> String {
        SVGChart.document([chart])
    }

    @Test func pointsLandInsideThePlotAreaInOrder() throws {
        let chart = SVGChart(
            title: "t", xLabel: "x", yLabel: "y",
            series: [
                .init(name: "a", points: [(3, 30), (1, 10), (2, 20)]),
                .init(name: "b", points: [(1, 5), (3, 5)], dashed: true),
            ])
        let svg = Self.single(chart)
        _ = try Self.elements(of: svg)
        let points = Self.circles(in: svg)
        #expect(points.count == 5)
        for point in points { #expect(chart.plotArea.contains(x: point.x, y: point.y), "\(point)") }
        // Series a is drawn in x order; a larger y is higher up (a smaller SVG y).
        #expect(points[0].x < points[1].x && points[1].x < points[2].x)
        #expect(points[0].y > points[1].y && points[1].y > points[2].y)
        #expect(svg.contains("stroke-dasharray"))
        #expect(svg.contains("<polyline"))
    }

    @Test func logAxesSpaceEqualRatiosEqually() throws {
        let chart = SVGChart(
            title: "payload", xLabel: "bytes", yLabel: "tasks/s", xScale: .log, yScale: .log,
            series: [
                .init(name: "s", points: [(100, 1000), (10_000, 100), (1_000_000, 10)])
            ])
        let svg = Self.single(chart)
        _ = try Self.elements(of: svg)
        let points = Self.circles(in: svg)
        #expect(points.count == 3)
        let (first, second) = (points[1].x - points[0].x, points[2].x - points[1].x)
        #expect(abs(first - second) < 0.05)
        #expect(abs((points[1].y - points[0].y) - (points[2].y - points[1].y)) < 0.05)
        #expect(svg.contains(">1M<") && svg.contains(">100<"))
    }

    @Test func labelsAreEscaped() throws {
        let chart = SVGChart(
            title: "A<B & \"C\" 'd'", xLabel: "x > y", yLabel: "</text>",
            series: [
                .init(name: "S&P <500>", points: [(1, 1)])
            ])
        let svg = Self.single(chart)
        _ = try Self.elements(of: svg)
        #expect(svg.contains("A&lt;B &amp; &quot;C&quot; &apos;d&apos;"))
        #expect(svg.contains("S&amp;P &lt;500&gt;"))
        #expect(!svg.contains("S&P") && !svg.contains("A<B"))
        #expect(SVGChart.escaped("a\u{1}b") == "ab")
    }

    @Test(arguments: [
        [SVGChart.Series](),
        [.init(name: "empty", points: [])],
        [.init(name: "one", points: [(5, 7)])],
        [.init(name: "same x", points: [(2, 1), (2, 3)])],
        [.init(name: "all zero", points: [(0, 0), (0, 0)])],
        [.init(name: "huge", points: [(-1e308, -1e308), (1e308, 1e308)])],
        [.init(name: "tiny", points: [(1e-300, 1e-300), (2e-300, 3e-300)])],
    ])
    func degenerateDataStillRenders(series: [SVGChart.Series]) throws {
        for scale in SVGChart.Scale.allCases {
            let chart = SVGChart(title: "t", xLabel: "x", yLabel: "y", xScale: scale, yScale: scale, series: series)
            let svg = Self.single(chart)
            _ = try Self.elements(of: svg)
            for point in Self.circles(in: svg) { #expect(chart.plotArea.contains(x: point.x, y: point.y), "\(point)") }
            let drawable = series.flatMap(chart.drawable)
            #expect(Self.circles(in: svg).count == drawable.count)
            #expect(svg.contains("no data") == drawable.isEmpty)
        }
    }

    @Test func nonFiniteAndNonPositiveOnLogArePointsLeftOut() throws {
        let points: [(x: Double, y: Double)] = [(.nan, 1), (1, .infinity), (-.infinity, 2), (2, 3), (4, 0), (-1, 5), (8, 9)]
        let linear = SVGChart(title: "t", xLabel: "x", yLabel: "y", series: [.init(name: "s", points: points)])
        #expect(Self.circles(in: Self.single(linear)).count == 4)  // (2,3) (4,0) (-1,5) (8,9)
        let log = SVGChart(
            title: "t", xLabel: "x", yLabel: "y", xScale: .log, yScale: .log,
            series: [.init(name: "s", points: points)])
        let svg = Self.single(log)
        _ = try Self.elements(of: svg)
        #expect(Self.circles(in: svg).count == 2)  // (2,3) (8,9)
        #expect(!svg.contains("nan") && !svg.contains("inf"))
    }

    @Test func chartsAreStackedInOneDocument() throws {
        let a = SVGChart(title: "first", xLabel: "x", yLabel: "y", series: [.init(name: "s", points: [(1, 2)])])
        let b = SVGChart(title: "second", xLabel: "x", yLabel: "y")
        let svg = SVGChart.document([a, b])
        let names = try Self.elements(of: svg)
        #expect(names.filter { $0 == "g" }.count == 2)
        #expect(svg.contains("height=\"\(Int(a.height + b.height))\""))
        #expect(svg.contains("translate(0 \(Int(a.height)))"))
    }

    @Test func resultFilesGiveChartsAndSkipUnmeasuredPoints() throws {
        let document = try JSONParser().parse(
            """
            {"sweep": "payload", "charts": [{"title": "T", "x_label": "X", "y_label": "Y", "x_scale": "log",
             "series": [{"name": "Swift", "color": 1, "points": [[100, 5], [1000, null], [10000, 7.5]]},
                        {"name": "Python", "dashed": true, "points": []}]}]}
            """)
        let charts = try SVGChart.charts(in: document, file: "r.json")
        #expect(charts.count == 1)
        #expect(charts[0].xScale == .log && charts[0].yScale == .linear)
        #expect(charts[0].series.map(\.name) == ["Swift", "Python"])
        #expect(charts[0].series[0].points.map(\.x) == [100, 10000])
        #expect(charts[0].series[0].colorIndex == 1 && charts[0].series[1].dashed)
    }

    @Test(arguments: [
        ("{}", "r.json: charts: expected an array of charts"),
        (#"{"charts": [{"x_scale": "cubic"}]}"#, "r.json: charts[0].x_scale: expected linear or log, found 'cubic'"),
        (#"{"charts": [{"series": [{"name": "s", "points": [[1]]}]}]}"#, "r.json: charts[0].series[0].points[0]: expected [x, y] numbers"),
        (#"{"charts": [{"series": [{"points": []}]}]}"#, "r.json: charts[0].series[0]: expected an object with a name"),
    ])
    func badResultFilesNameThePath(text: String, message: String) throws {
        let document = try JSONParser().parse(text)
        let error = #expect(throws: CommandLineError.self) { try SVGChart.charts(in: document, file: "r.json") }
        #expect(error?.message == message)
    }
}
