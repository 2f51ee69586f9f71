import Glibc
import Taskiq
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig

@Suite struct ExtendsTests {
    static let base = """
        {
          "broker": {"type": "inmemory", "await_inplace": true},
          "middlewares": [{"type": "simple_retry"}, {"type": "simple_retry", "default_retry_count": 5}],
          "worker": {"max_async_tasks": 5, "max_prefetch": 2, "log_format": "json"}
        }
        """

    @Test func objectsMergeRecursivelyAndArraysReplace() throws {
        let directory = try TemporaryConfigDirectory(files: [
            "base.json": Self.base,
            "env/child.json": """
            {"extends": "../base.json",
             "middlewares": [{"type": "simple_retry", "default_retry_count": 9}],
             "worker": {"max_prefetch": 3}}
            """,
        ])
        let configuration = try TaskiqConfiguration.load(
            directory.path("env/child.json"), modules: Fixtures.modules,
            environment: [:])
        #expect(try configuration.broker.options[ComponentRegistry.InMemoryBrokerKeys().awaitInplace])
        #expect(configuration.middlewares.count == 1)
        #expect(try configuration.middlewares[0].options.int("default_retry_count") == 9)
        #expect(configuration.worker.maxAsyncTasks == 5)
        #expect(configuration.worker.maxPrefetch == 3)
        #expect(configuration.worker.logFormat == .json)
        #expect(configuration.document.root["extends"] == nil)
    }

    @Test func aComponentOfAnotherTypeReplacesTheBaseComponent() throws {
        let directory = try TemporaryConfigDirectory(files: [
            "base.json": Self.base,
            "zmq.json": #"{"extends": "base.json", "broker": {"type": "zeromq", "pattern": "push_pull"}}"#,
            "same.json": #"{"extends": "base.json", "broker": {"type": "inmemory"}, "worker": {"cast_types": false}}"#,
        ])
        let zmq = try TaskiqConfiguration.load(directory.path("zmq.json"), modules: Fixtures.modules, environment: [:])
        #expect(zmq.broker.type.name == "zeromq")
        #expect(zmq.broker.options.values["await_inplace"] == nil)
        let same = try TaskiqConfiguration.load(directory.path("same.json"), modules: Fixtures.modules, environment: [:])
        #expect(try same.broker.options[ComponentRegistry.InMemoryBrokerKeys().awaitInplace])
        #expect(same.worker.castTypes == false)
    }

    @Test func aFileExtendingItselfIsACycle() throws {
        let directory = try TemporaryConfigDirectory(files: ["self.json": #"{"extends": "self.json"}"#])
        let error = try #require(Fixtures.error(loading: directory.path("self.json")))
        #expect(error.code == .extendsCycle)
        #expect(error.message.contains("self.json -> "))
    }

    /// A path that names no readable file says why: missing, a directory, or not a regular file
    /// (a pipe was called "permission denied").
    @Test func anUnreadablePathSaysWhy() throws {
        let directory = try TemporaryConfigDirectory(files: [:])
        let pipe = directory.path("pipe.json")
        #expect(mkfifo(pipe, 0o600) == 0)
        for (path, reason) in [
            (directory.path("missing.json"), "no such file"), (directory.path(""), "it is a directory"),
            (pipe, "it is not a regular file (a device, a pipe or a socket)"),
        ] {
            let error = try #require(Fixtures.error(loading: path))
            #expect(error.code == .unreadableFile)
            #expect(error.message == "cannot read the configuration file: \(reason)", "\(error)")
        }
    }

    @Test func shippedVariantsExtendTheDefault() throws {
        let dev = try TaskiqConfiguration.load(TestPaths.example("taskiq.dev.json"), modules: Fixtures.modules, environment: [:])
        #expect(dev.taskIDGenerator?.type.name == "uuid7")
        #expect(dev.worker.logLevel == .debug)
        #expect(dev.resultBackend?.type.name == "inmemory")
        let prod = try TaskiqConfiguration.load(
            TestPaths.example("taskiq.prod.json"), modules: Fixtures.modules,
            environment: ["TASKIQ_MAX_ASYNC_TASKS": "64"])
        #expect(prod.worker.maxAsyncTasks == 64)
        #expect(prod.worker.logFormat == .json)
        #expect(prod.worker.syncTasksPoolSize == 8)
        #expect(prod.modules == ["examples"])
    }
}

@Suite struct InterpolationTests {
    static func load(_ worker: String, environment: [String: String]) throws -> TaskiqConfiguration {
        let directory = try TemporaryConfigDirectory(files: [
            "taskiq.json": #"{"broker": {"type": "inmemory"}, "worker": \#(worker)}"#
        ])
        return try TaskiqConfiguration.load(directory.path("taskiq.json"), modules: Fixtures.modules, environment: environment)
    }

    @Test func defaultsApplyWhenUnsetOrEmpty() throws {
        #expect(try Self.load(#"{"max_async_tasks": "${N:-7}"}"#, environment: [:]).worker.maxAsyncTasks == 7)
        #expect(try Self.load(#"{"max_async_tasks": "${N:-7}"}"#, environment: ["N": ""]).worker.maxAsyncTasks == 7)
    }

    @Test func theEnvironmentWinsOverTheDefault() throws {
        #expect(try Self.load(#"{"max_async_tasks": "${N:-7}"}"#, environment: ["N": "12"]).worker.maxAsyncTasks == 12)
    }

    @Test func typedOptionsAcceptStringsThatParse() throws {
        let configuration = try Self.load(
            #"{"workers": "${WORKERS:-1}", "shutdown_timeout": "${T}", "log_level": "${L}"}"#,
            environment: ["T": "2.5", "L": "WARNING"])
        #expect(configuration.worker.workers == 1)
        #expect(configuration.worker.shutdownTimeout == .milliseconds(2500))
        #expect(configuration.worker.logLevel == .warning)
    }

    @Test func aWholeStringReferenceStaysAString() throws {
        let worker = #"{"logs_format": "${FMT:-%(message)s}"}"#
        #expect(try Self.load(worker, environment: ["FMT": "123"]).worker.logsFormat == "123")
        #expect(try Self.load(worker, environment: [:]).worker.logsFormat == "%(message)s")
    }

    @Test func referencesInsideStringsAndEscapes() throws {
        let interpolation = EnvironmentInterpolation(environment: ["HOST": "db", "PORT": "6379"])
        #expect(try interpolation.interpolate("redis://${HOST}:${PORT:-1}/0", path: .root, file: "f") == "redis://db:6379/0")
        #expect(try interpolation.interpolate("cost $5 and $${HOST}", path: .root, file: "f") == "cost $5 and ${HOST}")
    }

    @Test func aMissingVariableNamesThePath() throws {
        let interpolation = EnvironmentInterpolation(environment: [:])
        let value: JSONValue = ["middlewares": [["url": "redis://${REDIS_HOST}"]]]
        #expect(throws: ConfigError.self) { try interpolation.apply(to: value, path: .root, file: "f.json") }
        do {
            _ = try interpolation.apply(to: value, path: .root, file: "f.json")
        } catch {
            #expect(
                error.description
                    == "f.json: middlewares[0].url: environment variable 'REDIS_HOST' is not set and '${REDIS_HOST}' has no default; set it or write ${REDIS_HOST:-default}"
            )
        }
    }
}

@Suite struct ConfigFileLookupTests {
    @Test func explicitFileWinsOverTheEnvironment() throws {
        let loader = ConfigLoader(environment: ["TASKIQ_CONFIG": "from-env.json"])
        #expect(try loader.configFile(explicit: "given.json") == "given.json")
        #expect(try loader.configFile(explicit: nil) == "from-env.json")
    }

    @Test func taskiqConfigNamesTheFileForTheRunner() async throws {
        let status = await TaskiqRunner(modules: Fixtures.modules)
            .run(["tasks"], environment: ["TASKIQ_CONFIG": TestPaths.example("taskiq.json")])
        #expect(status == 0)
    }

    @Test func commandLineOverridesAreNamedInErrors() throws {
        var document = try ConfigLoader(environment: [:]).load(TestPaths.example("taskiq.json"))
        document.override(section: "worker", key: "workers", with: "x", source: "--workers")
        #expect(
            throws: ConfigError(
                .wrongType, file: "--workers", path: "worker.workers",
                #"expected an integer in 1...1024, found string "x""#)
        ) {
            try TaskiqConfiguration(document: document, modules: Fixtures.modules)
        }
    }
}
