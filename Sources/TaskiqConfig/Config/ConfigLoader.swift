import Taskiq

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reads a configuration file: parses it, follows `extends`, interpolates `${VAR}`.
///
/// ```swift
/// let document = try ConfigLoader().load("examples/taskiq.dev.json")
/// ```
/// `"extends": "taskiq.json"` names a base file relative to the extending file. The extending
/// file is overlaid on its base: objects merge key by key, recursively; anything else, arrays
/// included, replaces the base's value. Each file is interpolated before merging, so an error
/// names the file that holds the reference.
public struct ConfigLoader: Sendable {
    /// The environment that `${VAR}` reads; the process's by default.
    public var environment: [String: String]
    /// Reads a file's bytes, `nil` when it cannot be read; the file system by default. Fuzzing
    /// substitutes an in-memory set of files, so that `extends` never wanders the disk.
    package var readFile: @Sendable (String) -> [UInt8]?

    /// The environment variable that names the configuration file when none is given.
    public static let configVariable = "TASKIQ_CONFIG"

    /// Creates a loader.
    /// - Parameter environment: The variables `${VAR}` reads; the process's by default.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.init(environment: environment) { FileManager.default.contents(atPath: $0).map(Array.init) }
    }

    /// Creates a loader that reads files through `readFile` instead of the file system.
    package init(environment: [String: String], readFile: @escaping @Sendable (String) -> [UInt8]?) {
        self.environment = environment
        self.readFile = readFile
    }

    /// The file to load: the one given, else `$TASKIQ_CONFIG`, else `taskiq.json` when it exists.
    /// - Throws: ``ConfigError`` with code `.noConfigFile` when none applies.
    public func configFile(explicit: String?) throws(ConfigError) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let named = environment[Self.configVariable], !named.isEmpty { return named }
        if FileManager.default.fileExists(atPath: "taskiq.json") { return "taskiq.json" }
        throw ConfigError(
            .noConfigFile, file: "taskiq-run", path: "",
            "no configuration file: pass -c FILE or set \(Self.configVariable)")
    }

    /// Loads a file and every file it extends.
    /// - Parameter file: The path of the file, as it should appear in error messages.
    /// - Throws: ``ConfigError`` for unreadable files, invalid JSON, a non-object document,
    ///   `extends` cycles and missing environment variables.
    public func load(_ file: String) throws(ConfigError) -> ConfigDocument {
        try load(file, chain: [], extendedFrom: nil)
    }

    private func load(
        _ file: String, chain: [(name: String, identity: String)],
        extendedFrom: String?
    ) throws(ConfigError) -> ConfigDocument {
        let identity = URL(fileURLWithPath: file).standardizedFileURL.path
        if chain.contains(where: { $0.identity == identity }) {
            let names = (chain.map(\.name) + [file]).joined(separator: " -> ")
            throw ConfigError(
                .extendsCycle, file: chain.last!.name, path: "extends",
                "files extend each other in a cycle: \(names); expected a chain that ends in a file without 'extends'")
        }
        guard let data = readFile(file) else {
            if let extendedFrom {
                throw ConfigError(
                    .unreadableFile, file: extendedFrom, path: "extends",
                    "cannot read base file '\(file)': \(Self.reason(file)); expected a path relative to the extending file")
            }
            throw ConfigError(.unreadableFile, file: file, path: "", "cannot read the configuration file: \(Self.reason(file))")
        }
        let parsed: JSONValue
        do {
            parsed = try JSONParser().parse(data)
        } catch {
            throw ConfigError(
                .invalidJSON, file: file, path: "",
                "invalid JSON at line \(error.line), column \(error.column): \(error.message)")
        }
        guard case .object(let raw) = parsed else {
            throw ConfigError(
                .wrongType, file: file, path: "",
                "expected a JSON object at the top level, found \(parsed.typeName)")
        }
        let interpolation = EnvironmentInterpolation(environment: environment)
        guard case .object(var object) = try interpolation.apply(to: .object(raw), path: .root, file: file) else {
            preconditionFailure("interpolating an object yields an object")
        }
        var origins: [String: String] = [:]
        let chain = chain + [(file, identity)]
        guard let extends = object["extends"] else {
            Self.record(.object(object), at: .root, file: file, into: &origins)
            return ConfigDocument(file: file, root: object, origins: origins)
        }
        guard case .string(let baseName) = extends, !baseName.isEmpty else {
            throw ConfigError(
                .wrongType, file: file, path: "extends",
                "expected the path of a base file as a string, found \(extends.typeName)")
        }
        object["extends"] = nil
        let directory = FileSystem.directory(of: file)
        let basePath = baseName.hasPrefix("/") || directory.isEmpty ? baseName : directory + "/" + baseName
        let base = try load(basePath, chain: chain, extendedFrom: file)
        origins = base.origins
        Self.record(.object(object), at: .root, file: file, into: &origins)
        return ConfigDocument(file: file, root: Self.merge(base.root, object), origins: origins)
    }

    /// Overlays one object on another: objects merge recursively, anything else replaces.
    /// Overlays one document on another: objects merge, arrays and scalars replace, and a
    /// component whose `type` changes replaces the base's whole (its options would not fit).
    static func merge(_ base: JSONObject, _ overlay: JSONObject) -> JSONObject {
        var result = base
        for (key, value) in overlay {
            if case .object(let mine)? = result[key], case .object(let theirs) = value,
                theirs["type"] == nil || theirs["type"] == mine["type"]
            {
                result[key] = .object(merge(mine, theirs))
            } else {
                result[key] = value
            }
        }
        return result
    }

    private static func record(_ value: JSONValue, at path: JSONPath, file: String, into origins: inout [String: String]) {
        if !path.text.isEmpty { origins[path.text] = file }
        switch value {
        case .object(let object):
            for (key, member) in object { record(member, at: path.key(key), file: file, into: &origins) }
        case .array(let elements):
            for (index, element) in elements.enumerated() { record(element, at: path.index(index), file: file, into: &origins) }
        default:
            break
        }
    }

    private static func reason(_ file: String) -> String {
        switch try? FileSystem.kind(of: file) {
        case nil: "no such file"
        case .directory: "it is a directory"
        case .other: "it is not a regular file (a device, a pipe or a socket)"
        case .regularFile: (try? FileSystem.checkAccess(file, read: true)) == nil ? "permission denied" : "reading it failed"
        }
    }
}
