import TaskiqTestSupport
import Testing

@testable import Taskiq

/// Tasks of every arity, reached the way a worker reaches them: through a ``TaskModule``
/// (a protocol witness), type-erased, bound from a message. In a release build of Swift 6.3 a
/// `for _ in repeat (each T).self` count read 1 on this path for every task of two or more
/// parameters (docs/toolchain/pack-loop.md); these tests fail there.
@Suite struct PackArityTests {
    struct Point: Codable, Sendable, Equatable {
        var x: Int
        var y: Int
    }

    enum Tasks {
        static let none = TaskDefinition("arity.none") { () async throws -> Int in 7 }
        static let one = TaskDefinition("arity.one", parameters: ["a"]) { (a: Int) async throws -> Int in a }
        static let two = TaskDefinition("arity.two", parameters: ["a", "b"]) { (a: Int, b: Int) async throws -> Int in a + b }
        static let three = TaskDefinition("arity.three", parameters: ["a", "b", "c"]) {
            (a: String, b: Int, c: Double) throws -> String in "\(a)\(b)\(c)"
        }
        static let point = TaskDefinition("arity.point", parameters: ["p", "scale"]) { (p: Point, scale: Int) async throws -> Void in
            _ = p.x * scale
        }
        static let five = TaskDefinition("arity.five") { (a: Int, b: Int, c: Int, d: Int, e: Int) throws -> [Int] in [a, b, c, d, e] }
        static let module = TaskModule("arity", tasks: [none, one, two, three, point, five])
    }

    static func registry() -> TaskRegistry {
        let broker = InMemoryBroker()
        broker.register(Tasks.module)
        return broker.components.registry
    }

    @Test(arguments: [("arity.none", 0), ("arity.one", 1), ("arity.two", 2), ("arity.three", 3), ("arity.point", 2), ("arity.five", 5)])
    func erasedTaskKnowsItsParameters(name: String, count: Int) throws {
        let task = try #require(Self.registry()[name])
        #expect(task.parameterTypes.count == count)
    }

    @Test func definitionsStoreTypeNamesInOrder() {
        #expect(Tasks.three.arity == 3)
        #expect(Tasks.three.parameterTypes == ["String", "Int", "Double"])
        #expect(Tasks.point.parameterTypes == ["Point", "Int"])
        #expect(Tasks.none.parameterTypes.isEmpty)
    }

    static func run(_ name: String, args: [JSONValue], kwargs: JSONObject = [:], castTypes: Bool = false) async throws -> JSONValue {
        let task = try #require(registry()[name])
        let message = TaskiqMessage(taskID: "t", taskName: name, labels: [:], args: args, kwargs: kwargs)
        switch try task.prepare(message, castTypes) {
        case .async(let call): return try await call()
        case .sync(let call): return try call()
        }
    }

    @Test func everyArityBindsPositionalAndKeywordArguments() async throws {
        #expect(try await Self.run("arity.none", args: []) == 7)
        #expect(try await Self.run("arity.one", args: [4]) == 4)
        #expect(try await Self.run("arity.two", args: [1, 2]) == 3)
        #expect(try await Self.run("arity.two", args: [1], kwargs: ["b": 5]) == 6)
        #expect(try await Self.run("arity.two", args: [], kwargs: ["b": 5, "a": 1]) == 6)
        #expect(try await Self.run("arity.three", args: ["x", 2, 0.5]) == "x20.5")
        #expect(try await Self.run("arity.point", args: [["x": 1, "y": 2], 3]) == .null)
        #expect(try await Self.run("arity.five", args: [1, 2, 3, 4, 5]) == [1, 2, 3, 4, 5])
    }

    @Test func tooManyArgumentsNameTheRealCount() async throws {
        let error = await #expect(throws: TaskiqError.self) { try await Self.run("arity.two", args: [1, 2, 3]) }
        #expect(error?.message.contains("takes 2 arguments but 3 positional were given") == true)
    }

    @Test func kickEncodesEveryArgument() async throws {
        let broker = InMemoryBroker()
        broker.register(Tasks.module)
        let handle = try await Tasks.three.kicker().withBroker(broker).kiq("a", 1, 2.5)
        #expect(try await handle.waitResult(timeout: .seconds(10)).returnValue == "a12.5")
        let five = try await Tasks.five.kicker().withBroker(broker).kiq(5, 4, 3, 2, 1)
        #expect(try await five.waitResult(timeout: .seconds(10)).returnValue == [5, 4, 3, 2, 1])
        try await broker.shutdown()
    }
}

extension PackArityTests {
    @Test func oneExtraArgumentReadsAsOne() async throws {
        let error = await #expect(throws: TaskiqError.self) { try await Self.run("arity.none", args: [1]) }
        #expect(error?.message.contains("takes 0 arguments but 1 positional was given") == true)
    }
}
