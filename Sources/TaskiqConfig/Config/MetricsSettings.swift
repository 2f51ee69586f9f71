import Taskiq

/// The `metrics` section: where `taskiq-run` serves Prometheus metrics on `/metrics`.
///
/// ```json
/// "metrics": {"listen": "127.0.0.1:9000"}
/// ```
/// Without the section no endpoint is opened. The worker serves its own series, the scheduler
/// its own, and a supervisor of several worker processes serves their sum on its address (each
/// worker then listens on a loopback port of its own and tells the supervisor which).
public struct MetricsSettings: Sendable, Hashable {
    /// The host to bind: loopback by default (Python's middleware binds every interface).
    public var host = "127.0.0.1"
    /// The port; 0 lets the system choose.
    public var port: UInt16 = 9000

    /// Creates settings with the defaults.
    public init() {}

    /// The options of the section, each declared once.
    enum Keys {
        static let listen = Option<String>.address(
            "listen", .listenAddress, default: "127.0.0.1:9000",
            description: "host:port the /metrics endpoint binds; 127.0.0.1 by default, 0.0.0.0 for every interface.")
    }

    /// The options the section accepts, for validation and the schema.
    static let options: [ComponentOption] = [Keys.listen.declaration]

    /// Reads validated values (see ``options``).
    init(_ values: ComponentOptions) throws(ConfigError) {
        let address = ListenAddress(parsing: try values[Keys.listen])
        host = address.host
        port = address.port
    }

    /// `host:port`, with brackets around an IPv6 host.
    public var listen: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
