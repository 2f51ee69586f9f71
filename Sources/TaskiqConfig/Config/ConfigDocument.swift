import Taskiq

/// A configuration file after `extends` and `${VAR}` interpolation, before validation.
///
/// Remembers which file each value came from, so that a validation error names the file the user
/// has to edit, even when the value was inherited from a base file.
public struct ConfigDocument: Sendable {
    /// The file that was loaded (the most derived one).
    public var file: String
    /// The merged, interpolated document.
    public var root: JSONObject
    /// The file (or command-line option) that set each path; looked up by longest prefix.
    var origins: [String: String]

    /// Creates a document from JSON already in memory, for tests and embedders.
    /// - Parameters:
    ///   - file: The name used in error messages.
    ///   - root: The document.
    public init(file: String, root: JSONObject) {
        self.file = file
        self.root = root
        self.origins = [:]
    }

    init(file: String, root: JSONObject, origins: [String: String]) {
        self.file = file
        self.root = root
        self.origins = origins
    }

    /// The file that set the value at a path, or the document's file.
    func origin(of path: JSONPath) -> String {
        var text = path.text
        while !text.isEmpty {
            if let file = origins[text] { return file }
            guard let cut = text.lastIndex(where: { $0 == "." || $0 == "[" }) else { break }
            text = String(text[..<cut])
        }
        return file
    }

    /// Sets one setting inside a top-level section, as a command-line override does.
    ///
    /// `override(section: "worker", key: "workers", with: "4", source: "--workers")` makes errors
    /// about that value name `--workers` instead of a file. A section that is present but not an
    /// object is left alone, so that validation reports it.
    /// - Parameters:
    ///   - section: The top-level key, such as `worker`.
    ///   - key: The setting inside it, such as `workers`.
    ///   - value: The new value; strings are coerced like strings in the file.
    ///   - source: What to name as the file in errors, such as `--workers`.
    public mutating func override(section: String, key: String, with value: JSONValue, source: String) {
        var object: JSONObject
        switch root[section] {
        case nil: object = [:]
        case .object(let existing)?: object = existing
        default: return
        }
        object[key] = value
        root[section] = .object(object)
        origins[JSONPath.root.key(section).key(key).text] = source
    }
}
