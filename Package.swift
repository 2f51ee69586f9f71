// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "taskiq-swift",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Taskiq", targets: ["Taskiq"]),
        .library(name: "TaskiqRedis", targets: ["TaskiqRedis"]),
        .library(name: "TaskiqZeroMQ", targets: ["TaskiqZeroMQ"]),
        .library(name: "TaskiqRabbitMQ", targets: ["TaskiqRabbitMQ"]),
        .library(name: "TaskiqNATS", targets: ["TaskiqNATS"]),
        .library(name: "TaskiqConfig", targets: ["TaskiqConfig"]),
        .library(name: "TaskiqExamples", targets: ["TaskiqExamples"]),
        .library(name: "TaskiqDiagnostics", targets: ["TaskiqDiagnostics"]),
        .executable(name: "taskiq-run", targets: ["taskiq-run"]),
    ],
    targets: [
        .target(name: "Taskiq", linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]),
        .target(name: "TaskiqRedis", dependencies: ["Taskiq"]),
        .target(name: "TaskiqZeroMQ", dependencies: ["Taskiq"]),
        .target(name: "TaskiqRabbitMQ", dependencies: ["Taskiq"]),
        .target(name: "TaskiqNATS", dependencies: ["Taskiq"]),
        .target(name: "TaskiqConfig", dependencies: ["Taskiq", "TaskiqRedis", "TaskiqZeroMQ", "TaskiqRabbitMQ", "TaskiqNATS"]),
        .target(name: "TaskiqExamples", dependencies: ["Taskiq"]),
        .target(name: "TaskiqDiagnostics", dependencies: ["Taskiq", "TaskiqRedis", "TaskiqZeroMQ", "TaskiqConfig"]),
        .executableTarget(name: "taskiq-run", dependencies: ["TaskiqConfig", "TaskiqDiagnostics", "TaskiqExamples"]),
        .target(name: "TaskiqTestSupport", dependencies: ["Taskiq", "TaskiqRedis"], path: "Tests/TaskiqTestSupport"),
        .testTarget(name: "TaskiqTests", dependencies: ["Taskiq", "TaskiqTestSupport"]),
        .testTarget(name: "TaskiqRedisTests", dependencies: ["Taskiq", "TaskiqRedis", "TaskiqTestSupport"]),
        .testTarget(name: "TaskiqZeroMQTests", dependencies: ["Taskiq", "TaskiqZeroMQ", "TaskiqTestSupport"]),
        .testTarget(name: "TaskiqRabbitMQTests", dependencies: ["Taskiq", "TaskiqRabbitMQ", "TaskiqTestSupport"]),
        .testTarget(name: "TaskiqNATSTests", dependencies: ["Taskiq", "TaskiqNATS", "TaskiqTestSupport"]),
        .testTarget(
            name: "TaskiqConfigTests",
            dependencies: [
                "Taskiq", "TaskiqRedis", "TaskiqZeroMQ", "TaskiqRabbitMQ", "TaskiqNATS", "TaskiqConfig", "TaskiqDiagnostics",
                "TaskiqExamples", "TaskiqTestSupport",
            ]),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "Taskiq", "TaskiqRedis", "TaskiqZeroMQ", "TaskiqRabbitMQ", "TaskiqNATS", "TaskiqConfig", "TaskiqDiagnostics",
                "TaskiqExamples", "TaskiqTestSupport",
            ]),
    ]
)

for target in package.targets {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v6))
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    target.swiftSettings = settings
}
