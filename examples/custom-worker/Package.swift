// swift-tools-version: 6.0
import PackageDescription

// A user's own worker: its own task module, its own middleware and its own `main`, on top of
// Taskiq's public API only. Depends on the Taskiq checkout two levels up, by path.
let package = Package(
    name: "custom-worker",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "shop-worker", targets: ["shop-worker"])
    ],
    dependencies: [
        .package(name: "taskiq-swift", path: "../..")
    ],
    targets: [
        .target(name: "ShopTasks", dependencies: [.product(name: "Taskiq", package: "taskiq-swift")]),
        .executableTarget(
            name: "shop-worker",
            dependencies: [
                "ShopTasks",
                .product(name: "Taskiq", package: "taskiq-swift"),
                .product(name: "TaskiqConfig", package: "taskiq-swift"),
            ]),
    ]
)

for target in package.targets {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v6))
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    target.swiftSettings = settings
}
