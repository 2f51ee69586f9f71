import Foundation
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig

/// The `metrics` section: absent means no endpoint, present defaults to loopback port 9000, and
/// every mistake names the file and the JSON path.
@Suite struct MetricsConfigTests {
    static func load(_ metrics: String?) throws -> TaskiqConfiguration {
        let section = metrics.map { #", "metrics": \#($0)"# } ?? ""
        let directory = try TemporaryConfigDirectory(files: [
            "taskiq.json": #"{"broker": {"type": "inmemory"}\#(section)}"#
        ])
        return try TaskiqConfiguration.load(directory.path("taskiq.json"), modules: Fixtures.modules, environment: [:])
    }

    @Test func anAbsentSectionOpensNoEndpoint() throws {
        #expect(try Self.load(nil).metrics == nil)
    }

    @Test func anEmptySectionListensOnLoopback() throws {
        let metrics = try #require(try Self.load("{}").metrics)
        #expect(metrics.host == "127.0.0.1")
        #expect(metrics.port == 9000)
    }

    @Test(arguments: [("0.0.0.0:9100", "0.0.0.0", 9100), ("localhost:0", "localhost", 0), ("[::1]:9000", "::1", 9000)])
    func readsListenAddresses(listen: String, host: String, port: Int) throws {
        let metrics = try #require(try Self.load(#"{"listen": "\#(listen)"}"#).metrics)
        #expect(metrics.host == host)
        #expect(Int(metrics.port) == port)
    }

    @Test(arguments: [
        (#"{"listen": "9000"}"#, "metrics.listen", "has no port"),
        (#"{"listen": "127.0.0.1:99999"}"#, "metrics.listen", "expected a number from 0 to 65535"),
        (#"{"listen": "127.0.0.1:x"}"#, "metrics.listen", "expected a number"),
        (#"{"listen": ":9000"}"#, "metrics.listen", "has no host"),
        (#"{"listen": "http://h:9000"}"#, "metrics.listen", "without a scheme"),
        (#"{"listen": "::1:9000"}"#, "metrics.listen", "without brackets"),
        (#"{"listen": 9000}"#, "metrics.listen", "found"),
        (#"{"lisen": "127.0.0.1:9000"}"#, "metrics.lisen", "did you mean 'listen'"),
        (#""127.0.0.1:9000""#, "metrics", "expected an object"),
    ])
    func mistakesNameTheirPath(section: String, path: String, message: String) throws {
        do {
            _ = try Self.load(section)
            Issue.record("accepted \(section)")
        } catch let error as ConfigError {
            #expect(error.path == path, "\(error)")
            #expect(error.file.hasSuffix("taskiq.json"))
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test func theSchemaDescribesTheSection() throws {
        let schema = ComponentRegistry.standard.jsonSchema()
        let metrics = schema.objectValue?["properties"]?.objectValue?["metrics"]?.objectValue
        #expect(metrics?["additionalProperties"] == .bool(false))
        let listen = try #require(metrics?["properties"]?.objectValue?["listen"])
        #expect("\(listen)".contains("127.0.0.1:9000"))
    }
}
