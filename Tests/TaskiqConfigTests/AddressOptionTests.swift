import Foundation
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig

/// Every address option is parsed at load: a malformed Redis URL or ZeroMQ endpoint fails with
/// `invalid_address` at its JSON path, whatever component holds it.
@Suite struct AddressOptionTests {
    static let goodRedisURLs = [
        "redis://127.0.0.1:6379", "redis://localhost", "redis://cache.internal:7000/3", "redis://redis_1:6379",
        "redis://:secret@h:1", "redis://user:p%40ss@h:65535/0", "redis://[::1]:6390/1", "redis://h?db=2", "redis://",
        "REDIS://h/", "redis://example.com.:6379",
        "rediss://cache.internal:6380/1", "rediss://u:p@h?ca_file=/etc/ca.pem&cert_file=/c.pem&key_file=/k.pem&server_name=n",
        "rediss://h?insecure_skip_verify=true",
    ]
    static let badRedisURLs: [(String, String)] = [
        ("not a url", "no scheme"),
        ("http://cache:6379", "scheme 'http' is not redis"),
        ("redis://not a url", "contains a space"),
        ("redis://h:0", "port '0' is not a number from 1 to 65535"),
        ("redis://h:65536", "port '65536'"),
        ("redis://h:-1", "port '-1'"),
        ("redis://h:+6379", "port '+6379'"),
        ("redis://h:6379junk", "port '6379junk'"),
        ("redis://h:", "port ''"),
        ("redis://h:6379/0/1", "database '0/1'"),
        ("redis://h/+1", "database '+1'"),
        ("redis://h:6379 ", "port '6379 '"),
        ("redis://ho$t:6379", "contains '$'"),
        ("redis://-h:6379", "starts or ends with '-'"),
        ("redis://a..b", "empty label"),
        ("redis://999.1.1.1", "not an IPv4 address"),
        ("redis://[::g]:6379", "not an IPv6 address"),
        ("redis://[::1]x", "text after the IPv6 address"),
        ("redis://hôte:6379", "contains 'ô'"),
        ("redis://h?ca_file=/etc/ca.pem", "ca_file is a TLS option; use rediss://"),
        ("rediss://h?key_file=/k.pem", "cert_file and key_file go together"),
        ("rediss://h?insecure_skip_verify=1", "is not true or false"),
    ]
    static let goodEndpoints = ["tcp://127.0.0.1:5555", "tcp://localhost:1", "tcp://worker-1.internal:65535", "tcp://w_2:80"]
    static let badEndpoints: [(String, String)] = [
        ("not a url", "must start with tcp://"),
        ("ipc:///tmp/x", "must start with tcp://"),
        ("tcp://127.0.0.1", "has no port"),
        ("tcp://:5555", "has no host"),
        ("tcp://127.0.0.1:0", "has port 0"),
        ("tcp://127.0.0.1:65536", "expected a number from 0 to 65535"),
        ("tcp://127.0.0.1:+5555", "has port \"+5555\""),
        ("tcp://127.0.0.1:5555/x", "has port \"5555/x\""),
        ("tcp://127.0.0.1:5555 ", "has port \"5555 \""),
        ("tcp://not a url:5555", "contains a space"),
        ("tcp://[::1]:5555", "contains '['"),
        ("tcp://a:b:5555", "contains ':'"),
        ("tcp://300.1.1.1:5555", "not an IPv4 address"),
    ]

    @Test(arguments: goodRedisURLs)
    func goodRedisURLsPass(url: String) {
        #expect(AddressFormat.redisURL.problem(with: url) == nil)
    }

    @Test(arguments: badRedisURLs)
    func badRedisURLsFail(url: String, why: String) throws {
        let problem = try #require(AddressFormat.redisURL.problem(with: url))
        #expect(problem.contains(why), "\(problem)")
    }

    @Test(arguments: goodEndpoints)
    func goodEndpointsPass(endpoint: String) {
        #expect(AddressFormat.zeroMQBindEndpoint.problem(with: endpoint) == nil)
        #expect(AddressFormat.zeroMQConnectEndpoint.problem(with: endpoint) == nil)
    }

    @Test(arguments: badEndpoints)
    func badEndpointsFail(endpoint: String, why: String) throws {
        for format in [AddressFormat.zeroMQBindEndpoint, .zeroMQConnectEndpoint] {
            let problem = try #require(format.problem(with: endpoint))
            #expect(problem.contains(why), "\(problem)")
        }
    }

    @Test func onlyABoundEndpointMayUseEveryInterface() throws {
        #expect(AddressFormat.zeroMQBindEndpoint.problem(with: "tcp://*:5555") == nil)
        let problem = try #require(AddressFormat.zeroMQConnectEndpoint.problem(with: "tcp://*:5555"))
        #expect(problem.contains("only a bound address"))
    }

    @Test func everyDefaultAddressPassesItsOwnCheck() {
        for kind in ComponentKind.allCases {
            for type in ComponentRegistry.standard.types(of: kind) {
                for option in type.options {
                    guard case .address(let format) = option.type, let value = option.defaultValue.stringValue else { continue }
                    #expect(format.problem(with: value) == nil, "\(type.name).\(option.name)")
                }
            }
        }
    }

    /// An option named like an address that is declared as a plain string would escape the check.
    @Test func everyAddressLikeOptionIsDeclaredAsAnAddress() {
        for kind in ComponentKind.allCases {
            for type in ComponentRegistry.standard.types(of: kind) {
                for option in type.options where option.name == "url" || option.name.hasSuffix("_host") || option.name.hasSuffix("_url") {
                    guard case .address = option.type else {
                        Issue.record("\(kind.rawValue) '\(type.name)' declares '\(option.name)' as \(option.type), not as an address")
                        continue
                    }
                }
            }
        }
    }

    /// Where each address option can be written, as a config and its JSON path.
    static let locations: [(json: String, path: String)] = [
        (#"{"broker": {"type": "zeromq", "zmq_pub_host": "ADDRESS"}}"#, "broker.zmq_pub_host"),
        (#"{"broker": {"type": "zeromq", "zmq_sub_host": "ADDRESS"}}"#, "broker.zmq_sub_host"),
        (#"{"broker": {"type": "redis_stream", "url": "ADDRESS"}}"#, "broker.url"),
        (#"{"broker": {"type": "redis_list", "url": "ADDRESS"}}"#, "broker.url"),
        (#"{"broker": {"type": "inmemory"}, "brokers": {"bulk": {"type": "redis_list", "url": "ADDRESS"}}}"#, "brokers.bulk.url"),
        (#"{"broker": {"type": "inmemory"}, "result_backend": {"type": "redis", "url": "ADDRESS"}}"#, "result_backend.url"),
        (#"{"broker": {"type": "inmemory"}, "dead_letters": {"type": "redis", "url": "ADDRESS"}}"#, "dead_letters.url"),
        (#"{"broker": {"type": "inmemory"}, "scheduler": {"lease": {"type": "redis", "url": "ADDRESS"}}}"#, "scheduler.lease.url"),
        (
            #"{"broker": {"type": "inmemory"}, "scheduler": {"state_store": {"type": "redis", "url": "ADDRESS"}}}"#,
            "scheduler.state_store.url"
        ),
    ]

    @Test(arguments: 0..<locations.count)
    func aBadAddressFailsAtLoadWithItsPath(location: Int) throws {
        let (json, path) = Self.locations[location]
        for bad in ["not a url", "tcp://not a host:5555", "redis://h:70000"] {
            let directory = try TemporaryConfigDirectory(files: ["taskiq.json": json.replacingOccurrences(of: "ADDRESS", with: bad)])
            let error = try #require(Fixtures.error(loading: directory.path("taskiq.json")), "\(path) accepted \(bad)")
            #expect(error.code == .invalidAddress, "\(error)")
            #expect(error.path == path)
            #expect(error.description.hasPrefix("\(directory.path("taskiq.json")): \(path): "), "\(error)")
            #expect(TaskiqRunner.exitStatus(for: error) == 2)
        }
    }

    @Test func aBadURLsPasswordIsNotInTheError() throws {
        let json = #"{"broker": {"type": "redis_list", "url": "redis://u:hunter2@h:99999"}}"#
        let directory = try TemporaryConfigDirectory(files: ["taskiq.json": json])
        let error = try #require(Fixtures.error(loading: directory.path("taskiq.json")))
        #expect(error.code == .invalidAddress)
        #expect(!error.description.contains("hunter2"), "\(error)")
    }

    @Test func theSchemaRequiresTheScheme() throws {
        let schema = ComponentRegistry.standard.jsonSchema()
        let text = String(decoding: schema.serialized(style: .compact), as: UTF8.self)
        #expect(text.contains(#""pattern":"^rediss?(\\+(sentinel|cluster))?://""#))
        #expect(text.contains(#""pattern":"^tcp://""#))
    }

    /// `"url": "${REDIS_URL}"` is what the examples write: the schema must not flag it.
    @Test func theSchemaAcceptsAnInterpolatedAddress() throws {
        let schema = ComponentRegistry.standard.jsonSchema()
        let url = schema.objectValue?["$defs"]?.objectValue?["broker.redis_stream"]?.objectValue?["properties"]?
            .objectValue?["url"]
        let text = String(decoding: (url ?? .null).serialized(style: .compact), as: UTF8.self)
        #expect(text.contains("#/$defs/interpolated"), "\(text)")
    }
}
