// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "taskiq-swift",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Taskiq", targets: ["Taskiq"]),
        .library(name: "TaskiqConfig", targets: ["TaskiqConfig"]),
        .library(name: "TaskiqExamples", targets: ["TaskiqExamples"]),
        .library(name: "TaskiqDiagnostics", targets: ["TaskiqDiagnostics"]),
        .executable(name: "taskiq-run", targets: ["taskiq-run"]),
    ],
    targets: [
        .target(name: "Taskiq", linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]),
        .target(name: "TaskiqConfig", dependencies: ["Taskiq"]),
        .target(name: "TaskiqExamples", dependencies: ["Taskiq"]),
        .target(name: "TaskiqDiagnostics", dependencies: ["Taskiq", "TaskiqConfig"]),
        .executableTarget(name: "taskiq-run", dependencies: ["Taskiq", "TaskiqConfig", "TaskiqDiagnostics", "TaskiqExamples"]),
        .target(name: "TaskiqTestSupport", dependencies: ["Taskiq"], path: "Tests/TaskiqTestSupport"),
        .testTarget(name: "TaskiqTests", dependencies: ["Taskiq", "TaskiqTestSupport"], exclude: ["Peers"]),
        .testTarget(name: "TaskiqConfigTests", dependencies: ["Taskiq", "TaskiqConfig", "TaskiqDiagnostics", "TaskiqExamples", "TaskiqTestSupport"], exclude: ["Peers"]),
    ]
)

for target in package.targets {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v6))
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    target.swiftSettings = settings
}
