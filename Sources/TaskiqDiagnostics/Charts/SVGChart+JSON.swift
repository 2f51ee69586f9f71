import Taskiq
import TaskiqConfig

extension SVGChart {
    /// The charts of a sweep's result file (`bench/results/<sweep>.json`): its `charts` array,
    /// each `{"title", "x_label", "y_label", "x_scale": "linear"|"log", "y_scale", "series":
    /// [{"name", "dashed", "color", "points": [[x, y], ...]}]}`. A `null` y is a point not
    /// measured and is left out.
    /// - Parameters:
    ///   - document: The parsed file.
    ///   - file: The file's path, for errors.
    /// - Throws: ``CommandLineError`` naming the file, the JSON path and what was found.
    package static func charts(in document: JSONValue, file: String) throws(CommandLineError) -> [SVGChart] {
        func fail(_ path: String, _ message: String) -> CommandLineError {
            CommandLineError(code: .invalidValue, command: "bench", argument: file, message: "\(file): \(path): \(message)")
        }
        guard let charts = document.objectValue?["charts"]?.arrayValue else {
            throw fail("charts", "expected an array of charts")
        }
        var result: [SVGChart] = []
        for (index, value) in charts.enumerated() {
            let path = "charts[\(index)]"
            guard let object = value.objectValue else { throw fail(path, "expected an object") }
            func text(_ key: String) throws(CommandLineError) -> String {
                guard let value = object[key] else { return "" }
                guard let string = value.stringValue else { throw fail("\(path).\(key)", "expected a string") }
                return string
            }
            func scale(_ key: String) throws(CommandLineError) -> Scale {
                let name = try text(key)
                if name.isEmpty { return .linear }
                guard let scale = Scale(rawValue: name) else { throw fail("\(path).\(key)", "expected linear or log, found '\(name)'") }
                return scale
            }
            var chart = SVGChart(
                title: try text("title"), xLabel: try text("x_label"), yLabel: try text("y_label"),
                xScale: try scale("x_scale"), yScale: try scale("y_scale"))
            for (seriesIndex, seriesValue) in (object["series"]?.arrayValue ?? []).enumerated() {
                let seriesPath = "\(path).series[\(seriesIndex)]"
                guard let series = seriesValue.objectValue, let name = series["name"]?.stringValue else {
                    throw fail(seriesPath, "expected an object with a name")
                }
                var points: [(x: Double, y: Double)] = []
                for (pointIndex, point) in (series["points"]?.arrayValue ?? []).enumerated() {
                    guard let pair = point.arrayValue, pair.count == 2, let x = pair[0].doubleValue else {
                        throw fail("\(seriesPath).points[\(pointIndex)]", "expected [x, y] numbers")
                    }
                    if pair[1] == .null { continue }
                    guard let y = pair[1].doubleValue else {
                        throw fail("\(seriesPath).points[\(pointIndex)]", "expected [x, y] numbers")
                    }
                    points.append((x, y))
                }
                chart.series.append(
                    Series(
                        name: name, points: points, dashed: series["dashed"]?.boolValue ?? false,
                        colorIndex: series["color"]?.intValue.map { max(0, $0) }))
            }
            result.append(chart)
        }
        return result
    }
}
