import Taskiq

/// One validated component of the config: its kind, `type`, options and where it was declared.
public struct ComponentSettings: Sendable {
    /// The section it fills.
    public let kind: ComponentKind
    /// The registered type that builds it.
    public let type: ComponentType
    /// The validated options, defaults filled in.
    public let options: ComponentOptions
    /// The JSON path of its declaration, such as `middlewares[0]`.
    public let path: String
    /// The file it was declared in.
    public let file: String

    /// The resolved settings as JSON: `type` followed by every option.
    public var json: JSONObject {
        var object: JSONObject = ["type": .string(type.name)]
        for (key, value) in options.values { object[key] = value }
        return object
    }

    /// Builds the component, turning a factory's failure into a ``ConfigError`` at its path.
    func make() throws(ConfigError) -> Component {
        do {
            return try type.make(options)
        } catch let error as ConfigError {
            throw ConfigError(error.code, file: file, path: error.path.isEmpty ? path : "\(path).\(error.path)", error.message)
        } catch {
            throw ConfigError(
                .componentFailed, file: file, path: path,
                "cannot create the '\(type.name)' \(kind.noun): \(error)")
        }
    }
}
