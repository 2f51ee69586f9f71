import Foundation
import TaskiqTestSupport
import Testing

/// The shipped binary loads no full Foundation: not `libFoundation.so`, nor the ICU data and
/// internationalisation libraries it drags in (about 8 MB of a 26 MB idle worker). It links
/// `FoundationEssentials` at most.
@Suite struct LinkedLibrariesTests {
    static let forbidden = [
        "libFoundation.so", "libFoundationInternationalization.so", "lib_FoundationICU.so",
        "libFoundationNetworking.so", "libFoundationXML.so",
    ]

    /// The names of every shared library the dynamic loader maps for `path`, dependencies of
    /// dependencies included (`ldd`).
    static func loadedLibraries(of path: String) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ldd")
        process.arguments = [path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "ldd \(path) failed")
        // Lines read `\tlibX.so.1 => /path/libX.so.1 (0x...)` or `\t/lib64/ld-linux-x86-64.so.2 (0x...)`.
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
            line.split(whereSeparator: \.isWhitespace).first.map { String($0.split(separator: "/").last ?? $0) }
        }
    }

    @Test func taskiqRunLoadsNoFullFoundation() throws {
        #if os(Linux)
        try TaskiqRunProcess.requireExecutable()
        let libraries = try Self.loadedLibraries(of: TaskiqRunProcess.executable.path)
        #expect(libraries.contains { $0.hasPrefix("libswiftCore.so") }, "ldd output not understood: \(libraries)")
        let found = libraries.filter { library in Self.forbidden.contains { library.hasPrefix($0) } }
        #expect(found.isEmpty, "\(TaskiqRunProcess.executable.path) loads \(found)")
        #endif
    }

    /// Every product module imports `FoundationEssentials` where it exists, so a backend module
    /// not yet linked into `taskiq-run` cannot bring full Foundation back when it is.
    @Test func productSourcesImportFoundationOnlyAsAFallback() throws {
        let sources = TestPaths.packageRoot.appendingPathComponent("Sources")
        let files =
            FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") } ?? []
        #expect(files.count > 100, "found only \(files.count) Swift files under \(sources.path)")
        var bare: [String] = []
        for file in files {
            let lines = try String(contentsOfFile: sources.appendingPathComponent(file).path, encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: false)
            for (index, line) in lines.enumerated()
            where line.hasPrefix("import Foundation") && !line.hasPrefix("import FoundationEssentials") {
                if index == 0 || lines[index - 1].trimmingCharacters(in: .whitespaces) != "#else" { bare.append(file) }
            }
        }
        #expect(bare.isEmpty, "import Foundation outside '#if canImport(FoundationEssentials) ... #else': \(bare)")
    }
}
