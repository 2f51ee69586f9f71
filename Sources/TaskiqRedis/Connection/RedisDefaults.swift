/// Defaults shared by every Redis component, written once for the initialisers and the
/// config declarations.
public enum RedisDefaults {
    /// The local server on the standard port, database 0.
    public static let url = "redis://127.0.0.1:6379"
}
