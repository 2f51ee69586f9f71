import Taskiq
import TaskiqNATS
import TaskiqRabbitMQ
import TaskiqRedis
import TaskiqZeroMQ

/// A kind of network address an option holds, with the parser that checks it when the
/// configuration is loaded: scheme, host, port range and trailing text.
///
/// Declare an address option with ``ComponentOption/address(_:_:default:required:description:)``;
/// a malformed value then fails `check`, `worker` and `kick` with the file and its JSON path:
/// ```swift
/// .address("url", .redisURL, default: "redis://127.0.0.1:6379", description: "The server.")
/// ```
public struct AddressFormat: Sendable, Hashable {
    /// The format's name, such as `redis_url`; two formats with one name are equal.
    public let name: String
    /// The form shown in errors and in the schema, such as `tcp://host:port`.
    public let example: String
    /// The scheme the address starts with, such as `redis://`, as a regular expression
    /// (`rediss?://`); the schema requires it.
    public let scheme: String
    private let parse: @Sendable (String) -> String?

    /// Creates a format.
    /// - Parameters:
    ///   - name: A name such as `redis_url`.
    ///   - example: The form shown in errors and the schema.
    ///   - scheme: The scheme every address starts with, such as `redis://`.
    ///   - problem: Returns why a value is not a valid address, or `nil` when it is one.
    public init(name: String, example: String, scheme: String, problem: @escaping @Sendable (String) -> String?) {
        self.name = name
        self.example = example
        self.scheme = scheme
        self.parse = problem
    }

    /// Why `text` is not an address of this format, or `nil` when it is one.
    public func problem(with text: String) -> String? { parse(text) }

    public static func == (lhs: AddressFormat, rhs: AddressFormat) -> Bool { lhs.name == rhs.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    /// A Redis server URL, `redis://[user:password@]host:port/db` or `rediss://…` (TLS), read by
    /// the parser every Redis component uses.
    public static let redisURL = AddressFormat(
        name: "redis_url", example: "redis[s]://[user:password@]host:port/db",
        scheme: "rediss?(\\+(sentinel|cluster))?://"
    ) { text in
        do throws(RedisConnectionError) {
            _ = try RedisConfiguration(url: text)
            return nil
        } catch {
            return error.message
        }
    }

    /// A RabbitMQ server URL, `amqp://user:password@host:port/vhost?heartbeat=60`, read by the
    /// parser the RabbitMQ broker uses (password masked in errors).
    public static let amqpURL = AddressFormat(
        name: "amqp_url", example: "amqp://user:password@host:port/vhost",
        scheme: "amqps?://"
    ) { text in
        do throws(AMQPConnectionError) {
            _ = try AMQPConfiguration(url: text)
            return nil
        } catch {
            return error.message
        }
    }

    /// A NATS server URL, `nats://[user:password@]host:port[,host:port…]` or `tls://…`, read by
    /// the parser the NATS components use (secrets masked in errors).
    public static let natsURL = AddressFormat(name: "nats_url", example: "nats://[user:password@]host:port", scheme: "(nats|tls)://") {
        text in
        do throws(NATSClientError) {
            _ = try NATSConfiguration(url: text)
            return nil
        } catch {
            return error.message
        }
    }

    /// A ZeroMQ endpoint this process binds, `tcp://host:port`, where the host may be `*` for every interface.
    public static let zeroMQBindEndpoint = AddressFormat(
        name: "zeromq_bind_endpoint", example: "tcp://host:port",
        scheme: "tcp://"
    ) { zeroMQProblem($0, binding: true) }

    /// A ZeroMQ endpoint this process connects to, `tcp://host:port`.
    public static let zeroMQConnectEndpoint = AddressFormat(
        name: "zeromq_connect_endpoint", example: "tcp://host:port",
        scheme: "tcp://"
    ) { zeroMQProblem($0, binding: false) }

    /// Port 0 (an ephemeral port) is refused: the other side could not know which port to use.
    private static func zeroMQProblem(_ text: String, binding: Bool) -> String? {
        let endpoint: ZMTPEndpoint
        do {
            endpoint = try ZMTPEndpoint(parsing: text)
        } catch let error as ZMTPError {
            return error.message
        } catch {
            return String(describing: error)
        }
        if endpoint.port == 0 { return "endpoint \"\(text)\" has port 0; expected a port from 1 to 65535" }
        if endpoint.host == "*" && !binding {
            return "endpoint \"\(text)\" has host *, which only a bound address may use; expected the host to connect to"
        }
        return nil
    }
}
